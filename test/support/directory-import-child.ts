// A separate process that imports a directory CSV into DATABASE_URL and reports each school as it is applied
// ("applying UAI" just before that school's commit), so that a test can kill it in the middle of an import.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { importDirectory } from '../../src/directory/import.js';
import { openDatabase } from '../../src/store/database.js';

const [file] = process.argv.slice(2);
// Each school's transaction stays open until the test sends a line on stdin: the test decides where the kill lands
// (no pause on the clock, which a loaded machine could outrun or which would make every school wait).
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: 'memory://' });
await importDirectory(db, createReadStream(file!), {
  identifierStyle: 'prenom.nom',
  onProgress: async (p) => {
    if (p.phase !== 'apply') return;
    process.stdout.write(`applying ${p.uai}\n`);
    await lines.next();
  },
});
process.stdout.write('done\n');
await db.destroy();
