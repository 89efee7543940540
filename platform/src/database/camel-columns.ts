import postgres from 'postgres';

/** `created_at` → `createdAt`, at the type level, the way postgres.js's camel transform names it. */
export type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

export type CamelColumns<Row> = { [K in keyof Row as K extends string ? Camel<K> : K]: Row[K] };

/**
 * One row with its columns renamed by postgres.js's own column transform
 * (`postgres.toCamel`). Scoped to the rows a repository asks for: the connection is
 * shared with packages whose queries read snake_case columns, so the transform is not
 * set on the connection.
 */
export function camelColumns<Row extends object>(row: Row): CamelColumns<Row> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => [postgres.toCamel(column), value]),
  ) as CamelColumns<Row>;
}
