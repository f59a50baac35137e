// Starts the three demo relying parties of `npm run demo` (and of the end-to-end test) on their own listeners.
import { createServer, type Server } from 'node:http';
import { DEMO_CLIENTS, demoClientSecret } from '../../src/demo/seed.js';
import { createDemoRpApp, type DemoRpOptions } from './app.js';

const DESCRIPTIONS: Record<string, string> = {
  icart: 'L’espace numérique de travail du collège : messagerie, cahier de textes et toutes vos applications.',
  pronote: 'Notes, emploi du temps, devoirs et vie scolaire.',
  teleservices: 'Bourses, fiche de renseignements, orientation et paiement de la cantine.',
};

export interface RunningDemoRp {
  id: string;
  name: string;
  url: string;
}

export interface RunningDemoRps {
  rps: RunningDemoRp[];
  stop(): Promise<void>;
}

/** Busy ports and the like, worded for the person who ran `npm run demo`. */
export class DemoStartError extends Error {}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

/** `urls` are the three base URLs, in the order I-Cart, Pronote, Téléservices (as in DEMO_RP_URLS). */
export async function startDemoRps(options: {
  issuer: string;
  urls: string[];
  host?: string;
  log?: DemoRpOptions['log'];
}): Promise<RunningDemoRps> {
  const specs = DEMO_CLIENTS.map((c, i) => ({ id: c.clientId, name: c.name, url: options.urls[i]!.replace(/\/$/, ''), scope: c.scope }));
  const servers: Server[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    })));
  };
  for (const spec of specs) {
    const app = createDemoRpApp({
      id: spec.id,
      name: spec.name,
      description: DESCRIPTIONS[spec.id] ?? '',
      baseUrl: spec.url,
      issuer: options.issuer,
      clientSecret: demoClientSecret(spec.id),
      // A demo relying party keeps no refresh token: it asks for what it shows.
      scope: spec.scope.replace(/\s*offline_access/, ''),
      ...(spec.id === 'icart'
        ? { applications: specs.filter((s) => s.id !== 'icart').map((s) => ({ name: s.name, description: DESCRIPTIONS[s.id] ?? '', url: s.url })) }
        : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const server = createServer(app.callback());
    const port = Number(new URL(spec.url).port || 80);
    try {
      await listen(server, port, options.host ?? '127.0.0.1');
    } catch (err) {
      await stop();
      const code = (err as NodeJS.ErrnoException).code;
      throw new DemoStartError(code === 'EADDRINUSE'
        ? `Le port ${port} (${spec.name}) est déjà utilisé. Arrêtez le programme qui l’occupe, ou choisissez d’autres adresses avec DEMO_RP_URLS (à donner aussi à Sésame avant son premier démarrage).`
        : `${spec.name} n’a pas pu écouter sur le port ${port} : ${(err as Error).message}`);
    }
    servers.push(server);
  }
  return { rps: specs.map(({ id, name, url }) => ({ id, name, url })), stop };
}
