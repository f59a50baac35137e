#!/usr/bin/env node
// The `sesame` command (package.json "bin"): runs the TypeScript CLI in src/cli through tsx, so that
// `npx sesame …` works right after `npm install`, without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
