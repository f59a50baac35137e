// `npm run demo`: the three demo relying parties (I-Cart, Pronote, Téléservices) in front of a running Sésame.
// SESAME_URL names Sésame (default http://localhost:3000); DEMO_RP_URLS moves the applications (give Sésame the
// same value, since its demo data registers their addresses); DEMO_RP_HOST is the address they listen on.
import { DEMO_RP_ORIGINS } from '../src/config.js';
import { DEMO_PARENT, DEMO_PUPIL } from '../src/demo/seed.js';
import { createIssuerLink } from './demo-rp/issuer.js';
import { DemoStartError, startDemoRps } from './demo-rp/start.js';

const issuer = (process.env.SESAME_URL || 'http://localhost:3000').replace(/\/$/, '');
const urls = process.env.DEMO_RP_URLS ? process.env.DEMO_RP_URLS.split(',').map((u) => u.trim()).filter(Boolean) : DEMO_RP_ORIGINS;

function fail(message: string): never {
  console.error(`demo : ${message}`);
  process.exit(1);
}

if (urls.length !== 3 || urls.some((u) => !URL.canParse(u))) {
  fail('DEMO_RP_URLS doit donner trois adresses séparées par des virgules (I-Cart, Pronote, Téléservices), par exemple http://localhost:4001,http://localhost:4002,http://localhost:4003');
}
if (!URL.canParse(issuer)) fail(`SESAME_URL n’est pas une adresse valide : « ${issuer} »`);

const log = (level: 'info' | 'warn' | 'error', message: string, err?: unknown) => {
  const detail = err instanceof Error ? ` — ${err.message}` : '';
  (level === 'info' ? console.log : console.error)(`${message}${detail}`);
};

try {
  const running = await startDemoRps({ issuer, urls, host: process.env.DEMO_RP_HOST || '127.0.0.1', log });
  console.log('Applications de démonstration démarrées :');
  for (const rp of running.rps) console.log(`  ${rp.name.padEnd(13)} ${rp.url}/`);
  console.log(`Compte de démonstration (responsable) : ${DEMO_PARENT.identifiant} / ${DEMO_PARENT.password}`);
  console.log(`Compte de démonstration (élève)       : ${DEMO_PUPIL.identifiant} / ${DEMO_PUPIL.password}`);

  try {
    await createIssuerLink({ issuer, clientId: 'icart', clientSecret: 'unused' }).configuration();
    console.log(`Sésame répond à ${issuer}.`);
  } catch {
    console.error(`Sésame ne répond pas encore à ${issuer} : démarrez-le (npm start) ; les applications réessaient à chaque page.`);
  }

  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (err) {
  if (err instanceof DemoStartError) fail(err.message);
  throw err;
}
