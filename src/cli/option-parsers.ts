// Parsers for commander options shared by several commands; a thrown InvalidArgumentError becomes commander's
// one-line "option '…' argument '…' is invalid" message.
import { InvalidArgumentError } from 'commander';

/** For repeatable options: `--redirect-uri a --redirect-uri b` → ['a', 'b']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number of seconds.');
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}
