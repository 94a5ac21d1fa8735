/**
 * The rollout rules of one remote, as the release CLI writes them and the server stores them: the
 * releases that exist, and who gets which of them. Everything here is plain JSON so the same object
 * travels between the CLI, the database and the evaluator.
 */
import { z } from 'zod';
import { parseContractRange, parseSemanticVersion } from './contract-range.js';

/** Longest user or group id accepted (the manifest's user id has the same bound). */
export const MAX_ID_LENGTH = 128;

const version = z.string().refine((text) => parseSemanticVersion(text) !== null, 'a semantic version like 1.2.3');
const id = z.string().min(1).max(MAX_ID_LENGTH);

const RolloutReleaseSchema = z.object({
  version,
  /** Contract versions of the shell that can host this release, e.g. `^1.0.0`. */
  contracts: z.string().refine((text) => parseContractRange(text) !== null, 'a contract range like ^1.0.0, 1.2.3 or ^1.0.0 || ^2.0.0'),
});

const PercentageRolloutSchema = z.object({
  /** Bucketing group: kept when the percentage changes, replaced to draw a new sample on purpose. */
  groupId: id,
  /** Share of users, 0..100. */
  percent: z.number().int().min(0).max(100),
  version,
});

const RolloutRulesSchema = z
  .object({
    releases: z.array(RolloutReleaseSchema),
    killed: z.boolean(),
    denylist: z.array(id),
    allowlist: z.array(z.object({ userId: id, version })),
    beta: version.nullable(),
    rollouts: z.array(PercentageRolloutSchema),
    defaultVersion: version.nullable(),
  })
  .superRefine((rules, context) => {
    const known = new Set<string>();
    rules.releases.forEach((release, index) => {
      if (known.has(release.version)) {
        context.addIssue({ code: 'custom', path: ['releases', index, 'version'], message: `release ${release.version} is listed twice` });
      }
      known.add(release.version);
    });
    const mustExist = (ref: string, path: (string | number)[]) => {
      if (!known.has(ref)) context.addIssue({ code: 'custom', path, message: `no release ${ref}` });
    };
    const allowed = new Set<string>();
    rules.allowlist.forEach((entry, index) => {
      mustExist(entry.version, ['allowlist', index, 'version']);
      // Two versions for one user would make the answer depend on list order: refuse instead.
      if (allowed.has(entry.userId)) {
        context.addIssue({ code: 'custom', path: ['allowlist', index, 'userId'], message: `user ${entry.userId} is allowlisted twice` });
      }
      allowed.add(entry.userId);
    });
    if (rules.beta !== null) mustExist(rules.beta, ['beta']);
    rules.rollouts.forEach((rollout, index) => mustExist(rollout.version, ['rollouts', index, 'version']));
    if (rules.defaultVersion !== null) mustExist(rules.defaultVersion, ['defaultVersion']);
  });

/** A release of a remote as the rules know it; a server may carry more fields (entry, integrity). */
export interface RolloutRelease {
  readonly version: string;
  /** Contract range of the shells that can host it, e.g. `^1.0.0` or `^1.0.0 || ^2.0.0`. */
  readonly contracts: string;
}

/** A percentage rollout: users whose bucket in `groupId` is ≤ `percent` get `version`. */
export interface PercentageRollout {
  readonly groupId: string;
  readonly percent: number;
  readonly version: string;
}

/** A user pinned to a release by name. */
export interface AllowlistEntry {
  readonly userId: string;
  readonly version: string;
}

/**
 * Who gets which release of one remote. Evaluated in order: `killed` → `denylist` → `allowlist` →
 * `beta` (users who opted in) → `rollouts` (first one the user falls in) → `defaultVersion`.
 */
export interface RolloutRules<R extends RolloutRelease = RolloutRelease> {
  /** Every release that rules may refer to; versions are unique. */
  readonly releases: readonly R[];
  /** Kill switch: nobody gets this remote. */
  readonly killed: boolean;
  /** Users who get no release of this remote at all, whatever else applies. */
  readonly denylist: readonly string[];
  /** Users pinned to a release; at most one entry per user. */
  readonly allowlist: readonly AllowlistEntry[];
  /** Release offered to users in the beta program, or null when there is no beta. */
  readonly beta: string | null;
  /** Percentage rollouts, in priority order. */
  readonly rollouts: readonly PercentageRollout[];
  /** Release everyone else gets, or null for none. */
  readonly defaultVersion: string | null;
}

/** Rules that give nobody a release (not killed, no lists, no beta, no rollout, no default), release list aside. */
export const NO_RELEASE_RULES: Omit<RolloutRules, 'releases'> = {
  killed: false,
  denylist: [],
  allowlist: [],
  beta: null,
  rollouts: [],
  defaultVersion: null,
};

/** Outcome of checking rules: usable rules, or the list of what is wrong with them. */
export type RulesValidation =
  | { readonly ok: true; readonly rules: RolloutRules }
  | { readonly ok: false; readonly code: 'invalid-rules'; readonly problems: readonly string[] };

/**
 * Checks that `input` is a well-formed `RolloutRules`: the shape, unique release versions, readable
 * contract ranges, one allowlist entry per user, and no rule naming a release that is not listed.
 * The release CLI runs it before saving; the evaluator runs it on every call.
 */
export function validateRolloutRules(input: unknown): RulesValidation {
  let result: ReturnType<typeof RolloutRulesSchema.safeParse>;
  try {
    result = RolloutRulesSchema.safeParse(input);
  } catch (error) {
    // A hostile object (a throwing getter or proxy) is malformed too.
    return { ok: false, code: 'invalid-rules', problems: [`unreadable rules: ${String(error)}`] };
  }
  if (result.success) return { ok: true, rules: result.data };
  return {
    ok: false,
    code: 'invalid-rules',
    problems: result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(rules)'}: ${issue.message}`),
  };
}
