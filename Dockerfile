# Sésame in a container: Node 24 LTS (the runtime CI uses), compiled JavaScript, production dependencies only,
# running as the unprivileged `node` user, data (embedded PGlite database, admin token) in the /data volume.
#   docker build -t sesame .
#   docker run -p 3000:3000 -p 127.0.0.1:3001:3001 -v sesame-data:/data \
#     -e ISSUER=https://sesame.example.org -e TRUST_PROXY=true -e ADMIN_TOKEN=… \
#     -e TWILIO_ACCOUNT_SID=… -e TWILIO_AUTH_TOKEN=… -e TWILIO_MESSAGING_SERVICE_SID=… -e SMTP_URL=smtp://… sesame
# Settings are the environment variables of src/config.ts (see README); production refuses to start without
# ADMIN_TOKEN, SMS and mail settings. DATABASE_URL switches to PostgreSQL. No demo data unless SEED_DEMO=true.
# The admin command inside the container: docker exec <container> node dist/src/cli/main.js …
ARG NODE_IMAGE=node:24-slim

# 1. Compile TypeScript (tsconfig.build.json → dist/src/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only, from the lockfile.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The image: no compiler, no test tools, no source.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    ADMIN_LISTEN=0.0.0.0:3001 \
    DATA_DIR=/data \
    SEED_DEMO=false
WORKDIR /app
# package.json is needed at run time: it makes dist/ ES modules and marks the root where views/ and public/ are found.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY views ./views
COPY locales ./locales
COPY public ./public
# The sesame command runs the compiled CLI when the TypeScript source is absent: `docker exec <c> bin/sesame.js …`.
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 3000: the public OpenID Connect provider. 3001: the admin API (publish it on a private interface only).
EXPOSE 3000 3001
# No curl in slim images: Node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
