/**
 * The release registry: immutable releases of each remote (`<dataDir>/releases/<remote>/<version>/`
 * plus a row with the entry's sha384) and the rollout rules that say who gets which. The server's
 * manifest route reads it; the release CLI writes it, on the same data folder (SQLite in WAL mode lets
 * both open the database at once). Every rule change is validated before it is saved and kept as a
 * revision, so a rollback restores an earlier rule set exactly.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WallClock } from '@parley/clock';
import { CONTRACT_VERSION, REMOTE_NAMES, type RemoteName } from '@parley/contracts';
import {
  NO_RELEASE_RULES,
  type RemoteEvaluation,
  type RolloutRules,
  describeEvaluation,
  evaluateRemote,
  parseContractRange,
  parseSemanticVersion,
  validateRolloutRules,
} from '@parley/rollout';
import { isPrecompressedCopy, precompressFolder } from '../../../../tools/mf-build/precompress.mjs';
import type { ReleaseRecord, ReleaseStore, RuleRevision } from '../storage/storage.js';

/** A remote's rules without the release list, which comes from the registry itself. */
export type RemoteRuleSet = Omit<RolloutRules, 'releases'>;

/** Rules of a remote nobody has configured yet: no release for anyone. */
export const EMPTY_RULE_SET: RemoteRuleSet = NO_RELEASE_RULES;

/**
 * Contract range a release supports when its publisher names none: the contract of this checkout,
 * which built it (`npm start`'s local builds always are so). A fixed `^1.0.0` withheld the local chat
 * and call builds from their own shell after a contract major bump (e2e/tests/version-skew.spec.ts).
 */
export const DEFAULT_CONTRACTS = `^${CONTRACT_VERSION}`;

/** Folder of all releases in a data folder. */
export const RELEASES_DIR = 'releases';

/** URL path prefix under which a remote's origin serves its releases. */
export const RELEASES_URL_PREFIX = '/releases';

/** A refused release-registry operation: a code for scripts and a message for people. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
  constructor(
    readonly code:
      | 'unknown-remote'
      | 'invalid-version'
      | 'invalid-contracts'
      | 'not-built'
      | 'wrong-build'
      | 'release-exists'
      | 'no-release'
      | 'invalid-rules'
      | 'nothing-to-roll-back'
      | 'conflict'
      | 'invalid-argument',
    message: string,
  ) {
    super(message);
  }
}

/** What `publish` did. */
export interface PublishOutcome {
  /** `unchanged`: the same bytes were already published as this version (publishing is idempotent). */
  readonly status: 'published' | 'unchanged';
  readonly release: ReleaseRecord;
}

export interface PublishRequest {
  readonly remote: string;
  readonly version: string;
  /** The built remote (`apps/<remote>/dist`): holds `remoteEntry.js` and its chunks. */
  readonly distDir: string;
  /** Shell contract versions the release supports; `^1.0.0` when absent. */
  readonly contracts?: string;
  /** Absolute URL of the entry when the release is hosted elsewhere (a CDN); the files are still copied. */
  readonly entryUrl?: string;
}

/** The current rules of a remote and the revision they are at (0: never changed). */
export interface CurrentRules {
  readonly rules: RemoteRuleSet;
  readonly revision: number;
}

const sha384 = (bytes: Buffer) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/**
 * The sha384 of every file under `dir`, by relative path: "same build" made checkable. Brotli and
 * gzip copies are left out: they are made from the files (at build or at publish), not part of them.
 */
export function folderFingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else if (!isPrecompressedCopy(rel)) out[rel] = sha384(readFileSync(join(dir, rel)));
    }
  };
  walk('');
  return out;
}

/** A short hash of a whole build, for telling two builds of one version apart. */
export function buildHash(dir: string): string {
  return createHash('sha256').update(JSON.stringify(folderFingerprint(dir))).digest('hex').slice(0, 8);
}

function assertRemote(remote: string): asserts remote is RemoteName {
  if (!(REMOTE_NAMES as readonly string[]).includes(remote)) {
    throw new ReleaseError('unknown-remote', `unknown remote "${remote}": one of ${REMOTE_NAMES.join(', ')}`);
  }
}

/** Releases and rules of every remote, over a store and a data folder. */
export class ReleaseRegistry {
  /** Set inside `exclusively`, so a nested call does not wait for its own lock. */
  private readonly holding = new AsyncLocalStorage<true>();

  constructor(
    private readonly storage: ReleaseStore,
    private readonly options: { dataDir: string; clock: WallClock },
  ) {}

  /** Where a remote's releases live on disk. */
  releasesDir(remote: string): string {
    return join(this.options.dataDir, RELEASES_DIR, remote);
  }

  /**
   * Runs `work` while no other process (another node starting on the same folder and database, the
   * release CLI) publishes: its checks and writes see no half-published release. Re-entrant, so
   * `work` may publish.
   */
  async exclusively<T>(work: () => Promise<T>): Promise<T> {
    if (this.holding.getStore()) return work();
    return this.storage.holdReleaseLock(() => this.holding.run(true, work));
  }

  /**
   * Publishes a build as a new, immutable release: copies the folder to
   * `releases/<remote>/<version>/` and records the sha384 of its `remoteEntry.js`. Publishing the same
   * bytes again is a no-op, also when another node published them a moment ago; different bytes
   * under a published version are refused.
   */
  async publish(request: PublishRequest): Promise<PublishOutcome> {
    return this.exclusively(() => this.publishHeld(request));
  }

  private async publishHeld(request: PublishRequest): Promise<PublishOutcome> {
    const { remote, version, distDir } = request;
    assertRemote(remote);
    if (parseSemanticVersion(version) === null) throw new ReleaseError('invalid-version', `"${version}" is not a version like 1.2.3 or 1.2.3-beta.1`);
    const contracts = request.contracts ?? DEFAULT_CONTRACTS;
    if (parseContractRange(contracts) === null) throw new ReleaseError('invalid-contracts', `"${contracts}" is not a contract range like ^1.0.0`);
    if (request.entryUrl !== undefined && !/^https?:\/\/[^/]+\/.+/.test(request.entryUrl)) {
      throw new ReleaseError('invalid-argument', `--entry-url must be an absolute http(s) URL of a remoteEntry.js, got "${request.entryUrl}"`);
    }
    const entryFile = join(distDir, 'remoteEntry.js');
    if (!existsSync(entryFile)) throw new ReleaseError('not-built', `${distDir} has no remoteEntry.js: build ${remote} first`);
    checkBuildName(distDir, remote);

    const target = join(this.releasesDir(remote), version);
    const existing = (await this.storage.releases(remote)).find((release) => release.version === version);
    if (existing) {
      if (existsSync(target) && sameBytes(folderFingerprint(target), folderFingerprint(distDir))) return { status: 'unchanged', release: existing };
      throw new ReleaseError(
        'release-exists',
        `${remote} ${version} is already published with other bytes; releases are immutable: publish this build under a new version`,
      );
    }

    // Copied next to its final place and renamed, so a half-copied release is never served. Under the
    // lock, a folder without a row is no one's publication in progress: left over from an interrupted one.
    const staging = join(this.releasesDir(remote), `.staging-${version}-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(this.releasesDir(remote), { recursive: true });
    // Times kept, so the build's compressed copies stay "at least as new" as their files.
    cpSync(distDir, staging, { recursive: true, preserveTimestamps: true });
    // Compressed once here (a build made by this repository arrives with its copies already), so the
    // remote's origin never compresses per request.
    await precompressFolder(staging);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);

    const release: ReleaseRecord = {
      remote,
      version,
      entry: request.entryUrl ?? `${RELEASES_URL_PREFIX}/${version}/remoteEntry.js`,
      integrity: sha384(readFileSync(join(target, 'remoteEntry.js'))),
      contracts,
      publishedAt: this.options.clock.now(),
    };
    if ((await this.storage.insertRelease(release)) === 'exists') {
      // Only a publisher that takes no lock (an older server or CLI) gets here.
      throw new ReleaseError('release-exists', `${remote} ${version} was published at the same moment by someone else`);
    }
    return { status: 'published', release };
  }

  /** Records a release hosted entirely elsewhere, by its entry URL and integrity (no files here). */
  async register(release: Omit<ReleaseRecord, 'publishedAt'>): Promise<ReleaseRecord> {
    assertRemote(release.remote);
    if (parseSemanticVersion(release.version) === null) throw new ReleaseError('invalid-version', `"${release.version}" is not a version`);
    if (parseContractRange(release.contracts) === null) throw new ReleaseError('invalid-contracts', `"${release.contracts}" is not a contract range`);
    const record = { ...release, publishedAt: this.options.clock.now() };
    if ((await this.storage.insertRelease(record)) === 'exists') {
      throw new ReleaseError('release-exists', `${release.remote} ${release.version} is already published; releases are immutable`);
    }
    return record;
  }

  /**
   * Releases of `remote` the database names with files served from this data folder whose files
   * are missing here or differ (their remoteEntry.js against the recorded sha384): what a node
   * sharing the database but not the folder would fail to serve.
   */
  async localReleasesMissing(remote: RemoteName): Promise<string[]> {
    const local = (await this.storage.releases(remote)).filter((release) => release.entry.startsWith(`${RELEASES_URL_PREFIX}/`));
    return local
      .filter((release) => {
        const entry = join(this.releasesDir(remote), release.version, 'remoteEntry.js');
        return !existsSync(entry) || sha384(readFileSync(entry)) !== release.integrity;
      })
      .map((release) => release.version);
  }

  /** Every release of a remote, oldest first. */
  async releases(remote: string): Promise<ReleaseRecord[]> {
    assertRemote(remote);
    return this.storage.releases(remote);
  }

  /** The rules in effect for a remote. */
  async currentRules(remote: string): Promise<CurrentRules> {
    assertRemote(remote);
    const [newest] = await this.storage.ruleRevisions(remote, 1);
    return newest ? { rules: JSON.parse(newest.rules) as RemoteRuleSet, revision: newest.revision } : { rules: EMPTY_RULE_SET, revision: 0 };
  }

  /** The full rules the evaluator takes: releases from the registry, the rest from the newest revision. */
  async rolloutRules(remote: RemoteName): Promise<RolloutRules<ReleaseRecord>> {
    const [releases, current] = await Promise.all([this.storage.releases(remote), this.currentRules(remote)]);
    return { ...current.rules, releases };
  }

  /** The newest rule revisions, newest first: the audit trail `status` prints. */
  async history(remote: string, limit = 10): Promise<RuleRevision[]> {
    assertRemote(remote);
    return this.storage.ruleRevisions(remote, limit);
  }

  /** Offers `version` to users in the beta program. */
  async promoteBeta(remote: string, version: string): Promise<CurrentRules> {
    return this.change(remote, `beta → ${version}`, (rules) => ({ ...rules, beta: this.known(version) }));
  }

  /**
   * Rolls `version` out to `percent` of users. An existing rollout of that version keeps its group (so
   * widening never evicts anyone) unless `groupId` names a new one; a new rollout goes first.
   */
  async promotePercent(remote: string, version: string, percent: number, groupId?: string): Promise<CurrentRules> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new ReleaseError('invalid-argument', `--percent must be 0..100, got ${percent}`);
    return this.change(remote, `${percent}% → ${version}${groupId ? ` (group ${groupId})` : ''}`, (rules) => {
      this.known(version);
      const index = rules.rollouts.findIndex((rollout) => rollout.version === version);
      if (index === -1) {
        return { ...rules, rollouts: [{ groupId: groupId ?? `${remote}-${version}`, percent, version }, ...rules.rollouts] };
      }
      const rollouts = [...rules.rollouts];
      rollouts[index] = { groupId: groupId ?? rollouts[index]!.groupId, percent, version };
      return { ...rules, rollouts };
    });
  }

  /** Pins the named users to `version`. */
  async promoteUsers(remote: string, version: string, userIds: readonly string[]): Promise<CurrentRules> {
    if (userIds.length === 0) throw new ReleaseError('invalid-argument', '--users needs at least one user id');
    return this.change(remote, `users ${userIds.join(', ')} → ${version}`, (rules) => {
      this.known(version);
      const named = new Set(userIds);
      return {
        ...rules,
        allowlist: [...rules.allowlist.filter((entry) => !named.has(entry.userId)), ...userIds.map((userId) => ({ userId, version }))],
      };
    });
  }

  /** Makes `version` what everyone else gets; rollouts of that version become redundant and go. */
  async setDefault(remote: string, version: string): Promise<CurrentRules> {
    return this.change(remote, `default → ${version}`, (rules) => ({
      ...rules,
      defaultVersion: this.known(version),
      rollouts: rules.rollouts.filter((rollout) => rollout.version !== version),
    }));
  }

  /** Turns the remote off for everyone (rules are kept; `unkill` restores them). */
  async kill(remote: string): Promise<CurrentRules> {
    return this.change(remote, 'kill switch on', (rules) => ({ ...rules, killed: true }));
  }

  async unkill(remote: string): Promise<CurrentRules> {
    return this.change(remote, 'kill switch off', (rules) => ({ ...rules, killed: false }));
  }

  /**
   * Undoes the last change: restores the rules in effect before it, as a new revision. Repeated
   * rollbacks walk further back (a rollback is never itself the change that gets undone).
   */
  async rollback(remote: string): Promise<CurrentRules & { restored: number }> {
    assertRemote(remote);
    const revisions = await this.storage.ruleRevisions(remote, 1_000);
    const current = revisions[0];
    if (!current) throw new ReleaseError('nothing-to-roll-back', `${remote} has no rule changes to roll back`);
    // The revision whose content is in effect; everything after it were rollbacks to it.
    const base = current.restores ?? current.revision;
    const target = revisions.find((revision) => revision.revision === base - 1);
    const rules = target ? (JSON.parse(target.rules) as RemoteRuleSet) : EMPTY_RULE_SET;
    const restored = target?.revision ?? 0;
    const saved = await this.save(remote, rules, `rollback to revision ${restored}`, current.revision, restored);
    return { ...saved, restored };
  }

  /** "Who gets what" for one user: the evaluation and its reason in words. */
  async explain(remote: RemoteName, user: { userId: string; beta: boolean }, contractVersion: string): Promise<{ evaluation: RemoteEvaluation<ReleaseRecord>; reason: string }> {
    const evaluation = evaluateRemote(await this.rolloutRules(remote), user, contractVersion);
    return { evaluation, reason: describeEvaluation(evaluation) };
  }

  private known(version: string): string {
    if (parseSemanticVersion(version) === null) throw new ReleaseError('invalid-version', `"${version}" is not a version`);
    return version;
  }

  private async change(remote: string, description: string, mutate: (rules: RemoteRuleSet) => RemoteRuleSet): Promise<CurrentRules> {
    assertRemote(remote);
    const current = await this.currentRules(remote);
    return this.save(remote, mutate(current.rules), description, current.revision, null);
  }

  private async save(remote: string, rules: RemoteRuleSet, change: string, expected: number, restores: number | null): Promise<CurrentRules> {
    const releases = await this.storage.releases(remote);
    // Checked with the real release list: a rule naming an unpublished version would switch the
    // remote off for everyone, so it is refused here instead.
    const validation = validateRolloutRules({ ...rules, releases: releases.map(({ version, contracts }) => ({ version, contracts })) });
    if (!validation.ok) throw new ReleaseError('invalid-rules', validation.problems.join('; '));
    const plain: RemoteRuleSet = {
      killed: rules.killed,
      denylist: rules.denylist,
      allowlist: rules.allowlist,
      beta: rules.beta,
      rollouts: rules.rollouts,
      defaultVersion: rules.defaultVersion,
    };
    const revision: RuleRevision = {
      remote,
      revision: expected + 1,
      rules: JSON.stringify(plain),
      change,
      restores,
      changedAt: this.options.clock.now(),
    };
    if ((await this.storage.appendRuleRevision(revision, expected)) === 'conflict') {
      throw new ReleaseError('conflict', `${remote}'s rules changed meanwhile; run the command again`);
    }
    return { rules: plain, revision: revision.revision };
  }
}

function sameBytes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Refuses a build of another remote (its Module Federation name is in `mf-manifest.json`). */
function checkBuildName(distDir: string, remote: RemoteName): void {
  const file = join(distDir, 'mf-manifest.json');
  if (!existsSync(file)) return;
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(file, 'utf8')) as { metaData?: { name?: unknown } }).metaData?.name;
  } catch {
    throw new ReleaseError('wrong-build', `${file} is not JSON`);
  }
  if (name !== remote) throw new ReleaseError('wrong-build', `${distDir} is a build of "${String(name)}", not of ${remote}`);
}
