// Finds what the demo seed leaves in a database (clients with published secrets, accounts with published passwords),
// so that production refuses to start on it: anyone who read docs/demo.md could sign in or obtain tokens.
import { verifyPassword } from '../accounts/passwords.js';
import type { Db } from '../store/database.js';
import { DEMO_CLIENTS, DEMO_PARENT, DEMO_PUPIL, demoClientSecret } from './seed.js';

/** One line per demo client or account still usable, saying how to remove it; empty when there is none. */
export async function findDemoData(db: Db): Promise<string[]> {
  const found: string[] = [];
  const ids = DEMO_CLIENTS.map((c) => c.clientId);
  const clients = await db.selectFrom('oidc_payloads').select(['id', 'payload']).where('model', '=', 'Client').where('id', 'in', ids).execute();
  for (const client of clients) {
    // A real client may be called «pronote»; only the published secret makes it the demo's.
    if (client.payload.client_secret !== demoClientSecret(client.id)) continue;
    found.push(`demo client ${client.id} is registered with its published secret: run "sesame clients remove ${client.id}" (docs/docker.md, Demo data)`);
  }
  for (const demo of [DEMO_PARENT, DEMO_PUPIL]) {
    const account = await db.selectFrom('accounts').select('password_hash').where('identifiant', '=', demo.identifiant).executeTakeFirst();
    if (!account?.password_hash || !(await verifyPassword(account.password_hash, demo.password))) continue;
    found.push(`demo account ${demo.identifiant} still has its published password: run "sesame accounts reset-password --revoke ${demo.identifiant}" (docs/docker.md, Demo data)`);
  }
  return found;
}
