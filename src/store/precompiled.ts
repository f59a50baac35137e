// Statements compiled once: Kysely builds and compiles a query anew each time it runs (an immutable node tree,
// frozen at every step, then walked into SQL), which costs the main thread more than the `pg` protocol itself on the
// hottest statements (the OpenID Connect adapter's, about 27 per sign-in). A statement written here with the query
// builder is compiled at start-up with marker values; each run sends that same SQL text with its own parameters.
import { CompiledQuery, type Compilable, type Kysely, type QueryResult, type RawBuilder } from 'kysely';

/** A compiled statement: runs with the values named when it was built, returns Kysely's result. */
export type Precompiled<P extends string, R> = (values: Record<P, unknown>) => Promise<QueryResult<R>>;

/**
 * Compiles `build` once, with a distinct marker string for each of `names`, and finds where each marker landed among
 * the compiled parameters (a value may appear more than once, e.g. in an upsert's insert and update). Any other
 * parameter is a constant of the statement (a `null` written in the builder) and is sent as compiled. `build` may
 * also return a raw `sql` template, whose interpolated values are parameters the same way.
 */
export function precompile<P extends string, R>(
  db: Kysely<any>,
  names: readonly P[],
  build: (values: Record<P, any>) => Compilable<R> | RawBuilder<R>,
): Precompiled<P, R> {
  const markers = Object.fromEntries(names.map((name, i) => [name, `\u0001precompiled:${i}:${name}`])) as Record<P, string>;
  const { sql, parameters } = build(markers).compile(db);
  const order = parameters.map((value) => names.find((n) => markers[n] === value) ?? { constant: value });
  for (const name of names) if (!order.includes(name)) throw new Error(`precompiled statement does not use ${name}: ${sql}`);
  return (values) => db.executeQuery<R>(CompiledQuery.raw(sql, order.map((at) => (typeof at === 'string' ? values[at] : at.constant))));
}
