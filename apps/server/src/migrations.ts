/**
 * The schema, as numbered steps. A step is never edited once released: a change is a new step,
 * so every existing database reaches the same schema by replaying what it has not seen.
 */

/** One schema step; `sql` runs inside a transaction with the bookkeeping row. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];

/** Checks that versions start at 1 and increase by one, so a merge mistake fails at start-up. */
export function assertMigrationsOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
}
