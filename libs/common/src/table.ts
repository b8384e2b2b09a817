/**
 * Typed descriptions of the database's tables. The schema is written by migrations and read with
 * SQL; these say what a row of each table holds, so a query's result is typed from the table it
 * reads (`Pick<OrderRow, 'id' | 'status'>`, plus whatever the query computes) instead of `any`.
 * test/table-descriptions.e2e-spec.ts checks every description against the migrated schema, and
 * that every table has one.
 */

/** A column: its Postgres type (as `information_schema.columns.udt_name` names it) and nullability. */
export interface Column<T, N extends boolean = boolean> {
  readonly udt: string;
  readonly nullable: N;
  /** Only carries the TypeScript type of the value node-postgres returns. */
  readonly value?: T;
}

const column = <T>(udt: string): Column<T, false> => ({ udt, nullable: false });

/** The column builders; `nullable(col.x())` for a column that may be NULL. */
export const col = {
  uuid: () => column<string>('uuid'),
  text: <T extends string = string>() => column<T>('text'),
  smallint: () => column<number>('int2'),
  int: () => column<number>('int4'),
  /** node-postgres returns int8 as a string (it may not fit a JS number). */
  bigint: () => column<string>('int8'),
  double: () => column<number>('float8'),
  bool: () => column<boolean>('bool'),
  timestamptz: () => column<Date>('timestamptz'),
  jsonb: <T = unknown>() => column<T>('jsonb'),
  /** As stored (EWKB hex); queries select `ST_AsGeoJSON(…)` or coordinates when they need it. */
  geography: () => column<string>('geography'),
  textArray: <T extends string = string>() => column<T[]>('_text'),
  uuidArray: () => column<string[]>('_uuid'),
  /** node-postgres returns a tsvector as its text form. */
  tsvector: () => column<string>('tsvector'),
};

export function nullable<T>(c: Column<T, false>): Column<T, true> {
  return { udt: c.udt, nullable: true };
}

export interface Table<C extends Record<string, Column<unknown>> = Record<string, Column<unknown>>> {
  readonly kind: 'table';
  readonly name: string;
  readonly columns: C;
}

export function table<C extends Record<string, Column<unknown>>>(name: string, columns: C): Table<C> {
  return { kind: 'table', name, columns };
}

/** A whole row of the table as node-postgres returns it (snake_case columns). */
export type Row<T extends Table> = {
  [K in keyof T['columns']]: T['columns'][K] extends Column<infer V, infer N> ? (N extends true ? V | null : V) : never;
};
