// Where the test services are: the machine's PostgreSQL and Redis, overridable for other machines.
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The id of this test run, set by global-setup; every database and Redis prefix of the run starts with it. */
export function runId(): string {
  const id = process.env.SESAME_TEST_RUN;
  if (!id) throw new Error('SESAME_TEST_RUN is not set: run the tests with npm test');
  return id;
}

export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Settings that put a test server's short-lived state in the local Redis, under a prefix of this run. */
export function redisEnv(): Record<string, string> {
  return { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `${runId()}:${Math.random().toString(36).slice(2, 10)}:` };
}
