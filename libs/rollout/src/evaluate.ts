/**
 * Which release of a remote one user's shell gets. Pure and total: the same answer in Node and in the
 * browser, and no input — however malformed — makes it throw; the safe default is no release.
 */
import { rolloutBucket } from './bucket.js';
import { parseContractRange, parseSemanticVersion, satisfiesContractRange, type SemanticVersion } from './contract-range.js';
import { MAX_ID_LENGTH, validateRolloutRules, type RolloutRelease, type RolloutRules } from './rules.js';

/** The user the manifest is evaluated for. */
export interface RolloutUser {
  readonly userId: string;
  /** Opted in to the beta program (in settings). */
  readonly beta: boolean;
}

/** The rule that picked a release. */
export type ReleaseRule = 'allowlist' | 'beta' | 'rollout' | 'default';

/** Why no release was picked. */
export type NoReleaseReason =
  /** The kill switch is on. */
  | 'killed'
  /** The user is on the denylist. */
  | 'denied'
  /** No rule offered this user a release the shell can host (or there is no default). */
  | 'no-release'
  /** The rules are malformed; see `problems`. */
  | 'invalid-rules'
  /** The user or the contract version is malformed; see `problems`. */
  | 'invalid-request';

/** Where the user fell in a percentage rollout. */
export interface RolloutPlacement {
  readonly groupId: string;
  readonly percent: number;
  /** The user's bucket in the group, 1..100. */
  readonly bucket: number;
}

/** A release a rule offered, and which rule offered it. */
export interface ReleaseOffer {
  readonly rule: ReleaseRule;
  readonly version: string;
  /** Set when `rule` is 'rollout'. */
  readonly rollout?: RolloutPlacement;
}

/** The answer for one remote and one user, with enough detail to explain it. */
export type RemoteEvaluation<R extends RolloutRelease = RolloutRelease> =
  | {
      readonly release: R;
      readonly reason: ReleaseRule;
      readonly rollout?: RolloutPlacement;
      /** Offers passed over because the release does not support the shell's contract version. */
      readonly incompatible: readonly ReleaseOffer[];
    }
  | {
      readonly release: null;
      readonly reason: 'killed' | 'denied' | 'no-release';
      readonly incompatible: readonly ReleaseOffer[];
    }
  | {
      readonly release: null;
      readonly reason: 'invalid-rules' | 'invalid-request';
      readonly problems: readonly string[];
      readonly incompatible: readonly ReleaseOffer[];
    };

/**
 * Evaluates one remote's rules for a user whose shell speaks `contractVersion`. In order: kill switch
 * → denylist → allowlist → beta (opted-in users) → percentage rollouts (first one the user falls in)
 * → default. An offer of a release whose contract range excludes `contractVersion` is passed over and
 * the next rule is tried; when none is left the answer is no release. Never throws.
 */
export function evaluateRemote<R extends RolloutRelease>(
  rules: RolloutRules<R>,
  user: RolloutUser,
  contractVersion: string,
): RemoteEvaluation<R> {
  try {
    return evaluate(rules, user, contractVersion);
  } catch (error) {
    // Only reachable through hostile inputs (throwing getters, proxies): fail closed.
    return { release: null, reason: 'invalid-rules', problems: [`evaluation failed: ${String(error)}`], incompatible: [] };
  }
}

function evaluate<R extends RolloutRelease>(input: RolloutRules<R>, user: RolloutUser, contractVersion: string): RemoteEvaluation<R> {
  const validation = validateRolloutRules(input);
  if (!validation.ok) return { release: null, reason: 'invalid-rules', problems: validation.problems, incompatible: [] };
  const rules = validation.rules;

  const requestProblems = checkRequest(user, contractVersion);
  if (requestProblems.length > 0) return { release: null, reason: 'invalid-request', problems: requestProblems, incompatible: [] };
  const shell = parseSemanticVersion(contractVersion) as SemanticVersion;

  if (rules.killed) return { release: null, reason: 'killed', incompatible: [] };
  if (rules.denylist.includes(user.userId)) return { release: null, reason: 'denied', incompatible: [] };

  const incompatible: ReleaseOffer[] = [];
  for (const offer of offersFor(rules, user)) {
    const index = rules.releases.findIndex((release) => release.version === offer.version);
    const range = parseContractRange(rules.releases[index]!.contracts)!;
    if (!satisfiesContractRange(shell, range)) {
      incompatible.push(offer);
      continue;
    }
    // The caller's own release object, so fields the rules do not know (entry, integrity) survive.
    const release = input.releases[index]!;
    return offer.rollout
      ? { release, reason: offer.rule, rollout: offer.rollout, incompatible }
      : { release, reason: offer.rule, incompatible };
  }
  return { release: null, reason: 'no-release', incompatible };
}

/** Every release the rules offer this user, best first; lazily, so later rules cost nothing. */
function* offersFor(rules: RolloutRules, user: RolloutUser): Generator<ReleaseOffer> {
  const pinned = rules.allowlist.find((entry) => entry.userId === user.userId);
  if (pinned) yield { rule: 'allowlist', version: pinned.version };
  if (user.beta && rules.beta !== null) yield { rule: 'beta', version: rules.beta };
  for (const rollout of rules.rollouts) {
    if (rollout.percent <= 0) continue;
    const bucket = rolloutBucket(rollout.groupId, user.userId);
    if (bucket <= rollout.percent) {
      yield { rule: 'rollout', version: rollout.version, rollout: { groupId: rollout.groupId, percent: rollout.percent, bucket } };
    }
  }
  if (rules.defaultVersion !== null) yield { rule: 'default', version: rules.defaultVersion };
}

function checkRequest(user: RolloutUser, contractVersion: string): string[] {
  const problems: string[] = [];
  if (typeof user !== 'object' || user === null) return ['user: expected { userId, beta }'];
  if (typeof user.userId !== 'string' || user.userId.length === 0 || user.userId.length > MAX_ID_LENGTH) {
    problems.push(`user.userId: a string of 1..${MAX_ID_LENGTH} characters`);
  }
  if (typeof user.beta !== 'boolean') problems.push('user.beta: a boolean');
  if (typeof contractVersion !== 'string' || parseSemanticVersion(contractVersion) === null) {
    problems.push('contractVersion: a semantic version like 1.0.0');
  }
  return problems;
}

/** One line saying what the user gets and why, for the release CLI's "who gets what". */
export function describeEvaluation(evaluation: RemoteEvaluation): string {
  const passedOver = evaluation.incompatible.length
    ? `; passed over ${evaluation.incompatible.map((offer) => `${offer.version} (${offer.rule})`).join(', ')}: contract mismatch`
    : '';
  if (evaluation.release) {
    const how = evaluation.rollout
      ? `rollout ${evaluation.rollout.groupId} (bucket ${evaluation.rollout.bucket} ≤ ${evaluation.rollout.percent}%)`
      : evaluation.reason;
    return `${evaluation.release.version} via ${how}${passedOver}`;
  }
  switch (evaluation.reason) {
    case 'killed':
      return 'none: kill switch is on';
    case 'denied':
      return 'none: user is denylisted';
    case 'no-release':
      return `none: no rule offers a compatible release${passedOver}`;
    case 'invalid-rules':
    case 'invalid-request':
      return `none: ${evaluation.reason} (${evaluation.problems.join('; ')})`;
  }
}
