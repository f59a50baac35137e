#!/usr/bin/env node
// The `sesame` command (package.json "bin"): runs the TypeScript CLI in src/cli through tsx, so that
// `npx sesame …` works right after `npm install`, without a build step. Where only the compiled code is installed
// (dist/, as in the Docker image) it runs that instead, without loading tsx.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/src/cli/main.js', import.meta.url).href);
}
