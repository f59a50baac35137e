// A separate process that imports a directory CSV into DATABASE_URL and reports each school as it is applied
// ("applying UAI" just before that school's commit), so that a test can kill it in the middle of an import.
import { createReadStream } from 'node:fs';
import { importDirectory } from '../../src/directory/import.js';
import { openDatabase } from '../../src/store/database.js';

const [file] = process.argv.slice(2);
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://' });
await importDirectory(db, createReadStream(file!), {
  identifierStyle: 'prenom.nom',
  // The pause holds each school's transaction open a moment, so that the test's kill lands inside it.
  onProgress: async (p) => {
    if (p.phase !== 'apply') return;
    process.stdout.write(`applying ${p.uai}\n`);
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.PAUSE_MS ?? 0)));
  },
});
process.stdout.write('done\n');
await db.destroy();
