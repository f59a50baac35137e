// Compiles what the benchmark runs, so that both servers run as plain JavaScript under `node`, as in production
// (Dockerfile: `npm run build`, then `node dist/src/main.js`): Sésame with the very command the image is built with,
// the bare oidc-provider with the same compiler options (bench/tsconfig.bare.json). Measuring Sésame through tsx
// would add its loader and source transforms to the start-up, the memory and every profile.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './child-process.js';

export type Compiled = 'sesame' | 'bare';

const PROJECTS: Record<Compiled, { project: string; entry: string }> = {
  sesame: { project: 'tsconfig.build.json', entry: 'dist/src/main.js' },
  bare: { project: 'bench/tsconfig.bare.json', entry: 'dist/bench/bare-provider.js' },
};

const TSC = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
const builds = new Map<Compiled, Promise<string>>();

/** Compiles `which` once per process (into the repository's dist/) and resolves to the script to run with `node`. */
export function compiled(which: Compiled): Promise<string> {
  let build = builds.get(which);
  if (!build) {
    const { project, entry } = PROJECTS[which];
    build = promisify(execFile)(process.execPath, [TSC, '-p', project], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }).then(
      () => path.join(REPO_ROOT, entry),
      (err: Error & { stdout?: string }) => {
        builds.delete(which);
        throw new Error(`tsc -p ${project} failed:\n${err.stdout ?? ''}${err.message}`);
      },
    );
    builds.set(which, build);
  }
  return build;
}
