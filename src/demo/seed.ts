// Demo data for a first start on an empty database: one school, a few families, an active parent and pupil with
// known passwords, and the three demo relying parties of `npm run demo` (I-Cart, Pronote, Téléservices).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Accounts } from '../accounts/accounts.js';
import { nameKey } from '../directory/name-key.js';
import type { Config } from '../config.js';
import type { Clients } from '../oidc/clients.js';
import type { Db } from '../store/database.js';

export const DEMO_PARENT = { identifiant: 'claire.moreau', password: 'Cartable-bleu-2026' };
export const DEMO_PUPIL = { identifiant: 'jules.moreau', password: 'Trousse-verte-2026' };
export const DEMO_UAI = '0750001A';

export const DEMO_CLIENTS = [
  { clientId: 'icart', name: 'I-Cart', port: 4001, scope: 'openid profile email phone scolarite offline_access', description: 'L’ENT (espace numérique de travail) : messagerie, cahier de textes, actualités de l’établissement.' },
  { clientId: 'pronote', name: 'Pronote', port: 4002, scope: 'openid profile scolarite', description: 'Notes, emploi du temps et absences.' },
  { clientId: 'teleservices', name: 'Téléservices', port: 4003, scope: 'openid profile email phone scolarite', description: 'Les démarches en ligne : bourses, fiche de renseignements, orientation.' },
] as const;

/** The demo clients' secret: public knowledge, like everything demo. */
export const demoClientSecret = (clientId: string) => `${clientId}-demo-secret-not-for-production`;

/** Seeds when the database holds no account yet; returns whether it did. */
export async function seedDemo(deps: { db: Db; accounts: Accounts; clients: Clients; logger: Logger; config?: Pick<Config, 'demoRpUrls'> }): Promise<boolean> {
  const { db, accounts, clients } = deps;
  const any = await db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
  if (any) return false;

  await db.insertInto('schools').values({ uai: DEMO_UAI, name: 'Collège Jean-Moulin' }).execute();
  const parent = await accounts.create({
    kind: 'responsable', givenName: 'Claire', familyName: 'Moreau', email: 'claire.moreau@example.org',
    mobile: '+33612345678', password: DEMO_PARENT.password, state: 'active', origin: 'responsable',
  });
  const pupil = await accounts.create({
    kind: 'eleve', givenName: 'Jules', familyName: 'Moreau', birthdate: '2013-04-12', password: DEMO_PUPIL.password, state: 'active',
  });
  const families = [
    { pupil: ['Jules', 'MOREAU', '2013-04-12', '2115', '4eB', pupil.id], guardian: ['Mme', 'MOREAU', 'Claire', '+33612345678', 'claire.moreau@example.org', parent.id] },
    { pupil: ['Inès', 'MOREAU', '2015-09-03', '2117', '6eA', null], guardian: ['Mme', 'MOREAU', 'Claire', '+33612345678', 'claire.moreau@example.org', parent.id] },
    { pupil: ['Léa', 'LE GOFF-NGUYEN', '2014-01-20', '2116', '5eC', null], guardian: ['M.', 'LE GOFF-NGUYEN', 'Yann', '+33698765432', null, null] },
    { pupil: ['Noé', 'DUPONT', '2013-11-30', '2115', '4eB', null], guardian: ['Mme', 'DUPONT', 'Céline', '+33611223344', 'celine.dupont@example.org', null] },
  ] as const;
  const guardianIds = new Map<string, string>();
  for (const [i, f] of families.entries()) {
    const pupilId = randomUUID();
    const [given, family, birthdate, level, className, accountId] = f.pupil;
    await db.insertInto('pupils').values({
      id: pupilId, uai: DEMO_UAI, local_id: `DEMO${i + 1}`, ine: `0${i + 1}23456789AB`.slice(0, 11), family_name: family,
      given_names: given, birthdate, level, class_name: className, account_id: accountId, detached_at: null,
    }).execute();
    const [civilite, gFamily, gGiven, mobile, email, gAccount] = f.guardian;
    const key = `${gFamily}|${gGiven}|${mobile}`;
    let guardianId = guardianIds.get(key);
    if (!guardianId) {
      guardianId = randomUUID();
      guardianIds.set(key, guardianId);
      await db.insertInto('guardians').values({
        id: guardianId, civilite, family_name: gFamily, given_name: gGiven,
        name_key: nameKey(gFamily, gGiven),
        mobile, email, account_id: gAccount,
      }).execute();
    }
    await db.insertInto('pupil_guardians').values({ pupil_id: pupilId, guardian_id: guardianId, relation: 'mère', legal: true }).execute();
  }

  // DEMO_RP_URLS moves the demo relying parties (tests put them on free ports); by default localhost:4001–4003.
  for (const [i, c] of DEMO_CLIENTS.entries()) {
    const base = deps.config?.demoRpUrls[i] ?? `http://localhost:${c.port}`;
    await clients.add({
      clientId: c.clientId,
      clientSecret: demoClientSecret(c.clientId),
      name: c.name,
      redirectUris: [`${base}/callback`],
      postLogoutRedirectUris: [`${base}/`],
      backchannelLogoutUri: `${base}/backchannel-logout`,
      scope: c.scope,
      firstParty: true,
      // Listed on the home page's «Mes services».
      homeUrl: `${base}/`,
      homeDescription: c.description,
    });
  }
  deps.logger.info({ parent: DEMO_PARENT.identifiant, pupil: DEMO_PUPIL.identifiant }, 'demo data created');
  return true;
}
