import { type Compilable, type CompiledQuery, createQueryId } from 'kysely';

/** Stands for a named parameter while the query is built; replaced by the call's value before it runs. */
class Parameter {
  constructor(readonly name: string) {}
}

/** Where each compiled parameter comes from: a named one of the call, or a constant of the query itself. */
type Slot = { readonly name: string } | { readonly value: unknown };

/** Names a parameter of a query built once: `parameter('email')` where the value would go. */
export type ParameterOf<Params> = <Name extends keyof Params & string>(name: Name) => Params[Name];

/**
 * A query whose shape never changes, built and compiled by Kysely once; each call then only binds its values.
 *
 * Kysely builds an operation-node tree and walks it to write the SQL on every call. On the sign-in path that was
 * the largest part of the server's own work: in a CPU profile of `npm run bench -- sign-in`, Kysely's building and
 * compiling took about 200 µs of the ~1.5 ms each sign-in cost the event loop (the session's conditional
 * INSERT … SELECT casts 18 values), as much as SQLite's own work. What runs is still the SQL Kysely wrote, for the
 * dialect of the first `db` given, through Kysely's executor (its logging and error handling); only the building
 * is skipped. Any executor of the same database can run it: the database itself, or a transaction.
 *
 * `build` receives `parameter`, which stands for the named value wherever the query builder takes a value
 * (`where('email', '=', parameter('email'))`, `eb.val(parameter('uuid'))`). Anything else in the query is fixed
 * at the first build: `build` must not depend on the values.
 */
export function compiledOnce<Params extends object, Row>(
  build: (parameter: ParameterOf<Params>) => Compilable<Row>,
): (params: Params) => CompiledQuery<Row> {
  let compiled: { sql: string; query: CompiledQuery<Row>['query']; slots: Slot[] } | undefined;
  return (params) => {
    if (compiled === undefined) {
      const parameter = ((name: string) => new Parameter(name)) as ParameterOf<Params>;
      const query = build(parameter).compile();
      compiled = {
        sql: query.sql,
        query: query.query,
        slots: query.parameters.map((value) =>
          value instanceof Parameter ? { name: value.name } : { value },
        ),
      };
    }
    const { slots } = compiled;
    const parameters = new Array<unknown>(slots.length);
    for (let index = 0; index < slots.length; index += 1) {
      const slot = slots[index] as Slot;
      parameters[index] = 'name' in slot ? params[slot.name as keyof Params] : slot.value;
    }
    // A query id of its own, as each query Kysely compiles has: plugins key their per-query state by it.
    return { sql: compiled.sql, query: compiled.query, queryId: createQueryId(), parameters };
  };
}
