// Validates admin API input with zod and answers 400 `invalid_request` naming the first faulty field.
import type { z } from 'zod';
import { AppError } from '../http/app-error.js';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new AppError('invalid_request', 400, 'Requête invalide.', `${where}${issue?.message ?? 'invalid input'}`);
}
