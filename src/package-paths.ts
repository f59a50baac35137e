// Where the package's own files live (package.json, views/, public/): found by walking up from this module, so the
// same code works from src/ (tsx, tests) and from the compiled dist/src/ (node, the Docker image).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: views/ and public/ cannot be found`);
  }
}

export const PACKAGE_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const VIEWS_DIR = path.join(PACKAGE_ROOT, 'views');
export const PUBLIC_DIR = path.join(PACKAGE_ROOT, 'public');
