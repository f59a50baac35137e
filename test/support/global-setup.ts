// Gives the run an id; each test file makes its own PostgreSQL database (and Redis prefix) named after it.
import { randomBytes } from 'node:crypto';

export default async function globalSetup(): Promise<void> {
  process.env.SESAME_TEST_RUN = `sesame_t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
