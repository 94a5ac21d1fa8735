/**
 * What the server keeps between restarts, split by aggregate (ARCHITECTURE "Storage and scale"):
 * each part of the server takes only the store interface it needs, as libsignal composes its
 * small stores (rust/protocol/src/storage/traits.rs). `Storage` is all of them together, which a
 * backend implements: SQLite by default, PostgreSQL when several nodes share one database.
 * Methods are async even though SQLite answers synchronously: a network database will not.
 *
 * Keys, signatures and ciphertext cross these interfaces as bytes; the store never interprets
 * them. Every method that checks and then writes does both in one transaction, so two nodes on
 * one PostgreSQL database keep the same guarantees (storage-contract.ts proves it on each backend).
 */
import type { AccountStore, DeviceSweepStore } from './account-store.js';
import type { CallLinkStore } from './call-link-store.js';
import type { DeviceLinkStore } from './device-link-store.js';
import type { GroupCallStore } from './group-call-store.js';
import type { LeaseStore } from './lease-store.js';
import type { PreKeyStore } from './prekey-store.js';
import type { RelayQueueStore } from './relay-queue-store.js';
import type { BetaProgramStore, ReleaseStore } from './release-store.js';

export * from './account-store.js';
export type * from './call-link-store.js';
export type * from './device-link-store.js';
export type * from './group-call-store.js';
export type * from './lease-store.js';
export type * from './prekey-store.js';
export type * from './relay-queue-store.js';
export type * from './release-store.js';

/** Which backend is in use; reported by `/api/health`. */
export type StorageKind = 'sqlite' | 'postgres';

/** A migration that has been applied to the store. */
export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

/** A small key-value record of facts about this installation (e.g. when it was created). */
export interface MetaStore {
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Sets `key` to `value` unless it has a value already; returns the value it holds now (of several nodes at once, the first one's). */
  claimMeta(key: string, value: string): Promise<string>;
}

/** Opening, schema and closing: what only the server's start and stop (and tools) call. */
export interface StorageLifecycle {
  readonly kind: StorageKind;
  /** Creates the store if needed and brings its schema up to date; call once before anything else. */
  open(): Promise<void>;
  /** Applies the migrations not applied yet, in order; returns the versions it applied. */
  migrate(): Promise<number[]>;
  /** Every applied migration, oldest first. */
  appliedMigrations(): Promise<AppliedMigration[]>;
  close(): Promise<void>;
}

/** Every aggregate of one backend. */
export interface Storage
  extends StorageLifecycle,
    MetaStore,
    AccountStore,
    DeviceSweepStore,
    PreKeyStore,
    RelayQueueStore,
    DeviceLinkStore,
    ReleaseStore,
    BetaProgramStore,
    GroupCallStore,
    CallLinkStore,
    LeaseStore {}
