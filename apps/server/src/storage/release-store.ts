/**
 * The release registry and rollout rules, and who opted in to the beta program.
 */

/** A published release of a remote: immutable once written. */
export interface ReleaseRecord {
  remote: string;
  version: string;
  /** `/releases/<version>/remoteEntry.js` on the remote's own origin, or an absolute URL. */
  entry: string;
  /** Subresource Integrity of the entry (`sha384-…`). */
  integrity: string;
  /** Shell contract versions that can host it, e.g. `^1.0.0`. */
  contracts: string;
  publishedAt: number;
}

/** One revision of a remote's rollout rules (JSON of everything but the release list). */
export interface RuleRevision {
  remote: string;
  revision: number;
  /** JSON text; the release registry parses and validates it. */
  rules: string;
  /** What changed, in words, for `status` and the audit trail. */
  change: string;
  /** On a rollback: the revision whose rules it restored. */
  restores: number | null;
  changedAt: number;
}

/** Releases (written once) and the revisions of each remote's rules. */
export interface ReleaseStore {
  /**
   * Runs `work` while no other process on this store (another node, the release CLI) runs its own:
   * publishing copies files and then records them, which two processes must not interleave.
   */
  holdReleaseLock<T>(work: () => Promise<T>): Promise<T>;
  /** Records a release; `exists` (and nothing written) when that remote already has the version. */
  insertRelease(release: ReleaseRecord): Promise<'published' | 'exists'>;
  /** Every release of a remote, oldest first. */
  releases(remote: string): Promise<ReleaseRecord[]>;
  /** The newest `limit` rule revisions of a remote, newest first (none before the first change). */
  ruleRevisions(remote: string, limit: number): Promise<RuleRevision[]>;
  /**
   * Appends a rule revision if the newest one is still `expectedRevision` (0 for none): two
   * concurrent changes never silently overwrite each other.
   */
  appendRuleRevision(revision: RuleRevision, expectedRevision: number): Promise<'saved' | 'conflict'>;
}

/** The beta program's opt-ins (settings and the manifest read them). */
export interface BetaProgramStore {
  /** Whether the user opted in to the beta program. */
  betaOptIn(userId: string): Promise<boolean>;
  setBetaOptIn(userId: string, enabled: boolean, now: number): Promise<void>;
}
