// An import killed outright leaves its copy of the directory file (names, mobiles, emails) in the temporary folder;
// the next import removes it, and never a running import's copy.
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { spoolInput } from '../../src/directory/input-spool.js';

const HOUR = 3_600_000;
// A process id no process has here (above the kernel's pid_max of 2^22).
const GONE = 4_999_999;

describe('directory import spool', () => {
  let parent: string;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'spool-test-'));
  });

  afterEach(() => rm(parent, { recursive: true, force: true }));

  async function leftover(name: string, ageMs: number, now: number) {
    const folder = join(parent, name);
    await mkdir(folder);
    await writeFile(join(folder, 'directory.csv'), 'nom;prenom;mobile\nMartin;Léa;0612345678\n');
    const when = new Date(now - ageMs);
    await utimes(folder, when, when);
  }

  test('a copy left by a dead import (or a day old, even under our own pid) is removed by the next one; a recent or running one and foreign folders stay', async () => {
    const now = Date.now();
    await leftover(`sesame-import-${GONE}-old`, 2 * HOUR, now);
    await leftover(`sesame-import-${GONE}-recent`, 10 * 60_000, now);
    await leftover(`sesame-import-${process.ppid}-running`, 2 * HOUR, now);
    await leftover(`sesame-import-${process.ppid}-forgotten`, 25 * HOUR, now);
    await leftover('someone-else', 48 * HOUR, now);
    // A container restarted after its import was killed gets the same pid (1) and the same temporary folder.
    await leftover(`sesame-import-${process.pid}-previous-life`, 25 * HOUR, now);
    await leftover(`sesame-import-${process.pid}-under-way`, 2 * HOUR, now);

    const spool = await spoolInput(Readable.from(['uai;nom\n']), { parent, now: () => now });
    expect(await readFile(spool.path, 'utf8')).toBe('uai;nom\n');
    const left = (await readdir(parent)).sort();
    expect(left).toEqual([
      `sesame-import-${GONE}-recent`, `sesame-import-${process.ppid}-running`, `sesame-import-${process.pid}-under-way`, spool.path.split('/').at(-2), 'someone-else',
    ].sort());

    await spool.remove();
    expect(await readdir(parent)).not.toContain(spool.path.split('/').at(-2));
  });
});
