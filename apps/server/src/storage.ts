/**
 * What the server keeps between restarts, behind an interface so the SQLite default can be
 * swapped for PostgreSQL when scaling out (ARCHITECTURE "Storage and scale"). Methods are async
 * even though SQLite answers synchronously: a network database will not.
 */

/** Which backend is in use; reported by `/api/health`. */
export type StorageKind = 'sqlite';

/** A migration that has been applied to the store. */
export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

export interface Storage {
  readonly kind: StorageKind;
  /** Creates the store if needed and brings its schema up to date; call once before anything else. */
  open(): Promise<void>;
  /** Applies the migrations not applied yet, in order; returns the versions it applied. */
  migrate(): Promise<number[]>;
  /** Every applied migration, oldest first. */
  appliedMigrations(): Promise<AppliedMigration[]>;
  /** A small key-value record of facts about this installation (e.g. when it was created). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
