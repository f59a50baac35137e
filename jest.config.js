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
};
