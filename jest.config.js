// Jest runs TypeScript as ESM through ts-jest (transpile only: `npm test` type-checks the whole tree first).
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  // Our `./x.js` imports name TypeScript files. A dependency's `./metadata.max.json.js` is a real JavaScript module:
  // mapped to `./metadata.max.json`, Jest would load the JSON and warn once per importing file.
  moduleNameMapper: { '^(\\.{1,2}/(?!.*\\.json\\.js$).*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/known-warnings.ts'],
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // Generous: a PGlite start-up plus a browser on a loaded 2-core machine has taken over a minute (no test asserts a
  // duration; this only bounds a hang).
  testTimeout: 120000,
  // Two cores: two workers keep PGlite start-ups and PostgreSQL databases from starving each other.
  maxWorkers: 2,
  // A worker keeps every finished file's modules (Jest's ESM mode, jestjs/jest#14605): its heap grew by some 40 MB
  // per file, to 760 MB by the thirtieth, and each garbage collection walked all of it. A worker past this size after
  // a file is replaced by a fresh one. The 59 end-to-end files took 452 s (524 s of CPU) without, 318 s (371 s) with.
  // (With it, even one file runs in a worker: add `-i` to debug with --inspect.)
  workerIdleMemoryLimit: '400MB',
};
