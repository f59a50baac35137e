// «1 minute», «2 minutes»: a count and its noun, the noun agreeing with the count (SCREENS.md: plurals follow the
// count). French takes the singular for 0 and 1.
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${Math.abs(count) < 2 ? singular : plural}`;
}
