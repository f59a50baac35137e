// The SMS activation journey end to end (src/flows/activation, outbox transport): a parent the school declared
// types their names and mobile, reads the code from the outbox, confirms their child's birth date and chooses a
// password. The families come from a directory file imported first; each journey uses a family never used before.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Browser } from '../test/support/browser.js';
import { activate } from '../test/support/activation-journey.js';
import { guardianOf, writeDirectoryCsv } from './directory-csv.js';
import { importFile } from './import-scenario.js';
import type { Operation } from './load.js';
import { BENCH_PASSWORD, type Target } from './targets.js';

// Far from the import scenario’s rows, so the two never share a family (and 06 80…: metropolitan mobiles, where
// 0690… would be read as Guadeloupe’s).
const FIRST_ROW = 80_000_000;

/** True when the public app answers the activation entry page (anything but 404). */
export async function activationAvailable(target: Target): Promise<boolean> {
  const response = await fetch(`${target.issuer}/activation`, { redirect: 'manual', headers: { accept: 'text/html' } });
  await response.arrayBuffer();
  return response.status !== 404;
}

/** Imports `families` guardians (one child each) through the admin API; returns the journey to repeat. */
export async function prepareActivation(target: Target, families: number): Promise<Operation> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-bench-activation-'));
  try {
    const file = path.join(dir, 'familles.csv');
    await writeDirectoryCsv(file, families, FIRST_ROW);
    const imported = await importFile(target, file, families);
    if (imported.status !== 200) throw new Error(`activation data import failed: ${imported.status} ${imported.summary}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  let next = FIRST_ROW;
  return async () => {
    if (next >= FIRST_ROW + families) throw new Error('no family left to activate');
    const g = guardianOf(next);
    next += 1;
    const { done } = await activate(new Browser(), target.issuer, target.dataDir!, {
      identity: { family_name: g.family, given_name: g.given, mobile: g.mobile },
      to: g.mobileE164,
      birthdates: [g.childBirthdate],
      password: BENCH_PASSWORD,
    });
    if (!done.html.includes('Votre compte est activé.')) throw new Error(`activation did not finish (${done.status}): ${done.html.slice(0, 200)}`);
  };
}
