import { type DatabaseIntrospector, type Kysely, type SchemaMetadata, sql, type TableMetadata } from 'kysely';

/**
 * `db`, except that its `introspection` sees one schema only: the answers Kysely's `Migrator` asks
 * for (does the schema exist, does its bookkeeping table exist), read from `pg_namespace` and
 * `pg_class` alone. Tables come back without their columns, which the `Migrator` never reads.
 *
 * Kysely 0.28's own introspection lists every column of every table of every schema, calling
 * `pg_get_serial_sequence` on each by name, just to find the two bookkeeping tables. Another schema
 * changing meanwhile fails the whole query: dropped (`invalid_schema_name`, `undefined_table`), or a
 * column renamed (`undefined_column`), as a full sync does to its generations and parallel test files
 * to theirs. It also grows with every schema in the database. Kysely 0.30 filters that query by
 * schema and table itself (`getTables({ where })`); on it this wrapper can go.
 */
export function withSchemaIntrospection<DB>(db: Kysely<DB>, schema: string): Kysely<DB> {
  const untyped = db as unknown as Kysely<unknown>;
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string; relkind: string }>`
      select c.relname as name, c.relkind from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'v', 'p')
      order by c.relname`.execute(untyped);
    return rows.map((row) => ({ name: row.name, schema, isView: row.relkind === 'v', columns: [] }));
  };
  const introspection: DatabaseIntrospector = {
    async getSchemas(): Promise<SchemaMetadata[]> {
      const { rows } = await sql<SchemaMetadata>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(untyped);
      return rows;
    },
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
  // A Proxy, because Kysely takes no introspector of our own: every other member is `db`'s, bound
  // to it (its methods read private fields, which a Proxy as `this` would not have).
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
