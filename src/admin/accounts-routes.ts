// Admin API for accounts created by hand (operators, demo, tests); the directory import creates the rest.
import type Router from '@koa/router';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { hasInvisibleCharacters } from '../accounts/invisible-characters.js';
import { checkPassword } from '../accounts/password-policy.js';
import { AppError } from '../http/app-error.js';
import type { SesameCore } from '../sesame.js';
import { parseInput } from './validate.js';

// Invisible characters are looked for before trimming: `trim` would quietly drop a U+FEFF at either end.
const name = z
  .string()
  .refine((v) => !hasInvisibleCharacters(v), 'must not contain bidirectional controls or zero-width characters')
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}<>]+$/u, 'must not contain control characters or markup');

const newAccount = z.object({
  kind: z.enum(['responsable', 'eleve']),
  given_name: name,
  family_name: name,
  email: z.email().max(254).optional(),
  mobile: z.string().max(30).optional(),
  birthdate: z.iso.date().optional(),
  password: z.string().min(1).max(1024).optional(),
});

type MinimalPhoneLibrary = typeof import('libphonenumber-js');
let phoneLibrary: MinimalPhoneLibrary | undefined;
/**
 * libphonenumber-js (the small metadata this route has always checked with) is loaded by the first
 * account given a mobile, not at start, where it cost idle memory (docs/performance.md, «Idle memory»). CommonJS
 * build: synchronous.
 */
const phoneNumbers = () => (phoneLibrary ??= createRequire(import.meta.url)('libphonenumber-js') as MinimalPhoneLibrary);

export function mountAccountRoutes(router: Router, core: SesameCore): void {
  router.post('/accounts', async (ctx) => {
    const input = parseInput(newAccount, ctx.request.body);
    let mobile: string | undefined;
    if (input.mobile) {
      const phone = phoneNumbers().parsePhoneNumberFromString(input.mobile, 'FR');
      if (!phone?.isValid()) throw new AppError('invalid_request', 400, 'Numéro de portable invalide.', 'mobile: not a valid phone number');
      mobile = phone.number;
    }
    if (input.password) {
      const problem = checkPassword(input.password, { names: [input.given_name, input.family_name], birthdates: [input.birthdate] });
      if (problem) throw new AppError('weak_password', 400, problem, `password: ${problem}`);
    }
    const account = await core.accounts.create({
      kind: input.kind,
      givenName: input.given_name,
      familyName: input.family_name,
      email: input.email,
      mobile,
      birthdate: input.birthdate,
      password: input.password,
    });
    ctx.status = 201;
    ctx.body = { identifiant: account.identifiant, sub: account.id, state: account.state };
  });
}
