// Finds the admin API's bearer token: ADMIN_TOKEN, or outside production a token made on first start and kept in
// DATA_DIR/admin-token (mode 0600) where the `sesame` command finds it too.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';

export function adminTokenPath(dataDir: string): string {
  return path.join(dataDir, 'admin-token');
}

export async function resolveAdminToken(config: Config): Promise<string> {
  if (config.admin.token) return config.admin.token;
  if (config.env === 'production') throw new ConfigError('ADMIN_TOKEN must be set in production');
  const file = adminTokenPath(config.dataDir);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 24) return existing;
  } catch {
    // First start: no token yet.
  }
  const token = randomBytes(32).toString('base64url');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}
