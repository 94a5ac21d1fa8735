import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rolloutBucket } from './bucket.js';
import { satisfiesContractRange } from './contract-range.js';
import { describeEvaluation, evaluateRemote, type RolloutUser } from './evaluate.js';
import type { RolloutRelease, RolloutRules } from './rules.js';
import { NO_RELEASE_RULES, validateRolloutRules } from './rules.js';
import { generateUserIds, propertySeed, seededRandom } from './testing/seeded-ids.js';

/** A release as the server would pass it: with fields the rules do not know about. */
interface StoredRelease extends RolloutRelease {
  readonly entry: string;
  readonly integrity: string;
}
const release = (version: string, contracts: string): StoredRelease => ({
  version,
  contracts,
  entry: `https://parley.example/releases/call/${version}/remoteEntry.js`,
  integrity: `sha384-${version}`,
});

const V1 = release('1.0.0', '^1.0.0');
const V2 = release('2.0.0', '^1.0.0');
const V3 = release('3.0.0', '^1.0.0');
const NEXT = release('4.0.0', '^2.0.0'); // built against the next shell contract

const none: RolloutRules<StoredRelease> = { ...NO_RELEASE_RULES, releases: [V1, V2, V3, NEXT] };
const rulesWith = (overrides: Partial<RolloutRules<StoredRelease>>): RolloutRules<StoredRelease> => ({ ...none, ...overrides });

const alice: RolloutUser = { userId: 'alice', beta: false };
const betaAlice: RolloutUser = { userId: 'alice', beta: true };
const SHELL = '1.0.0';

describe('evaluateRemote: rule order', () => {
  const everything = rulesWith({
    allowlist: [{ userId: 'alice', version: '3.0.0' }],
    beta: '2.0.0',
    rollouts: [{ groupId: 'call-v2', percent: 100, version: '2.0.0' }],
    defaultVersion: '1.0.0',
  });

  it('the kill switch beats the allowlist and everything else', () => {
    const evaluation = evaluateRemote({ ...everything, killed: true }, betaAlice, SHELL);
    expect(evaluation).toEqual({ release: null, reason: 'killed', incompatible: [] });
  });

  it('the denylist beats the allowlist', () => {
    const evaluation = evaluateRemote({ ...everything, denylist: ['alice'] }, betaAlice, SHELL);
    expect(evaluation).toEqual({ release: null, reason: 'denied', incompatible: [] });
  });

  it('the denylist only removes the users it names', () => {
    expect(evaluateRemote({ ...everything, denylist: ['bob'] }, alice, SHELL).release).toBe(V3);
  });

  it('the allowlist beats beta, rollouts and the default', () => {
    const evaluation = evaluateRemote(everything, betaAlice, SHELL);
    expect(evaluation.reason).toBe('allowlist');
    expect(evaluation.release).toBe(V3);
  });

  it('beta beats rollouts, but only for users who opted in', () => {
    const rules = rulesWith({ beta: '3.0.0', rollouts: [{ groupId: 'call-v2', percent: 100, version: '2.0.0' }], defaultVersion: '1.0.0' });
    expect(evaluateRemote(rules, betaAlice, SHELL)).toMatchObject({ reason: 'beta', release: V3 });
    expect(evaluateRemote(rules, alice, SHELL)).toMatchObject({ reason: 'rollout', release: V2 });
  });

  it('a rollout the user falls in beats the default, and says where the user fell', () => {
    const rules = rulesWith({ rollouts: [{ groupId: 'call-v2', percent: 100, version: '2.0.0' }], defaultVersion: '1.0.0' });
    expect(evaluateRemote(rules, alice, SHELL)).toEqual({
      release: V2,
      reason: 'rollout',
      rollout: { groupId: 'call-v2', percent: 100, bucket: rolloutBucket('call-v2', 'alice') },
      incompatible: [],
    });
  });

  it('users outside a rollout get the default', () => {
    const users = generateUserIds(seededRandom(11), 400);
    const rules = rulesWith({ rollouts: [{ groupId: 'call-v2', percent: 25, version: '2.0.0' }], defaultVersion: '1.0.0' });
    for (const userId of users) {
      const evaluation = evaluateRemote(rules, { userId, beta: false }, SHELL);
      const inside = rolloutBucket('call-v2', userId) <= 25;
      expect(evaluation.release, userId).toBe(inside ? V2 : V1);
      expect(evaluation.reason).toBe(inside ? 'rollout' : 'default');
    }
  });

  it('a 0% rollout includes nobody', () => {
    const rules = rulesWith({ rollouts: [{ groupId: 'call-v2', percent: 0, version: '2.0.0' }], defaultVersion: '1.0.0' });
    for (const userId of generateUserIds(seededRandom(12), 300)) {
      expect(evaluateRemote(rules, { userId, beta: true }, SHELL).release).toBe(V1);
    }
  });

  it('rollouts are tried in list order', () => {
    const rules = rulesWith({
      rollouts: [
        { groupId: 'call-v3', percent: 100, version: '3.0.0' },
        { groupId: 'call-v2', percent: 100, version: '2.0.0' },
      ],
    });
    expect(evaluateRemote(rules, alice, SHELL).release).toBe(V3);
  });

  it('without a default, users no rule picks get nothing', () => {
    expect(evaluateRemote(none, alice, SHELL)).toEqual({ release: null, reason: 'no-release', incompatible: [] });
    expect(evaluateRemote(rulesWith({ beta: '2.0.0' }), alice, SHELL).reason).toBe('no-release');
  });

  it("returns the caller's own release object, extra fields included", () => {
    const evaluation = evaluateRemote(rulesWith({ defaultVersion: '1.0.0' }), alice, SHELL);
    expect(evaluation.release).toBe(V1);
    expect(evaluation.release?.integrity).toBe('sha384-1.0.0');
  });
});

describe('evaluateRemote: contract ranges', () => {
  it('passes over an allowlisted release the shell cannot host and falls back to the next rule', () => {
    const rules = rulesWith({ allowlist: [{ userId: 'alice', version: '4.0.0' }], beta: '2.0.0', defaultVersion: '1.0.0' });
    expect(evaluateRemote(rules, betaAlice, '1.3.0')).toEqual({
      release: V2,
      reason: 'beta',
      incompatible: [{ rule: 'allowlist', version: '4.0.0' }],
    });
    expect(evaluateRemote(rules, alice, '1.3.0')).toMatchObject({ release: V1, reason: 'default' });
    // A shell on the next contract can host it.
    expect(evaluateRemote(rules, alice, '2.0.0')).toMatchObject({ release: NEXT, reason: 'allowlist' });
  });

  it('passes over an incompatible rollout to the next rollout', () => {
    const rules = rulesWith({
      rollouts: [
        { groupId: 'call-v4', percent: 100, version: '4.0.0' },
        { groupId: 'call-v2', percent: 100, version: '2.0.0' },
      ],
    });
    const evaluation = evaluateRemote(rules, alice, SHELL);
    expect(evaluation).toMatchObject({ release: V2, reason: 'rollout', rollout: { groupId: 'call-v2' } });
    expect(evaluation.incompatible.map((offer) => offer.version)).toEqual(['4.0.0']);
  });

  it('gives nothing when no offered release fits the shell', () => {
    const rules = rulesWith({ beta: '2.0.0', defaultVersion: '1.0.0' });
    const evaluation = evaluateRemote(rules, betaAlice, '2.0.0');
    expect(evaluation.release).toBeNull();
    expect(evaluation.reason).toBe('no-release');
    expect(evaluation.incompatible.map((offer) => offer.rule)).toEqual(['beta', 'default']);
  });

  it('never offers a release outside the shell contract, whatever the rules (generated)', () => {
    const seed = propertySeed('contract-range');
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const releases = [V1, V2, V3, NEXT, release('5.0.0', '^1.2.0 || ^2.0.0'), release('6.0.0', '1.0.0')];
    const versions = releases.map((r) => r.version);
    const users = generateUserIds(random, 50);
    for (let round = 0; round < 300; round += 1) {
      const rules: RolloutRules<StoredRelease> = {
        releases,
        killed: random() < 0.1,
        denylist: users.filter(() => random() < 0.1),
        allowlist: users.filter(() => random() < 0.2).map((userId) => ({ userId, version: pick(versions) })),
        beta: random() < 0.5 ? pick(versions) : null,
        rollouts: Array.from({ length: Math.floor(random() * 3) }, (_, i) => ({ groupId: `g${i}`, percent: Math.floor(random() * 101), version: pick(versions) })),
        defaultVersion: random() < 0.7 ? pick(versions) : null,
      };
      const contractVersion = pick(['1.0.0', '1.2.0', '1.5.3', '2.0.0', '2.1.0', '3.0.0']);
      for (const userId of users) {
        const evaluation = evaluateRemote(rules, { userId, beta: random() < 0.5 }, contractVersion);
        if (evaluation.release) {
          expect(satisfiesContractRange(contractVersion, evaluation.release.contracts), `seed ${seed}`).toBe(true);
        }
        if (rules.killed) expect(evaluation.reason).toBe('killed');
        else if (rules.denylist.includes(userId)) expect(evaluation.reason).toBe('denied');
      }
    }
  });
});

describe('evaluateRemote: malformed input gives no release, never a throw', () => {
  const valid = rulesWith({ defaultVersion: '1.0.0' });
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error('boom');
      },
    },
  );
  const withThrowingGetter = {
    ...valid,
    get releases(): never {
      throw new Error('boom');
    },
  };

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'rules'],
    ['an empty object', {}],
    ['an array', []],
    ['a percentage above 100', { ...valid, rollouts: [{ groupId: 'g', percent: 101, version: '1.0.0' }] }],
    ['a negative percentage', { ...valid, rollouts: [{ groupId: 'g', percent: -1, version: '1.0.0' }] }],
    ['a fractional percentage', { ...valid, rollouts: [{ groupId: 'g', percent: 10.5, version: '1.0.0' }] }],
    ['a percentage as text', { ...valid, rollouts: [{ groupId: 'g', percent: '50', version: '1.0.0' }] }],
    ['an empty group id', { ...valid, rollouts: [{ groupId: '', percent: 50, version: '1.0.0' }] }],
    ['a rollout to an unknown release', { ...valid, rollouts: [{ groupId: 'g', percent: 50, version: '9.9.9' }] }],
    ['an allowlist entry for an unknown release', { ...valid, allowlist: [{ userId: 'alice', version: '9.9.9' }] }],
    ['a user allowlisted twice', { ...valid, allowlist: [{ userId: 'alice', version: '1.0.0' }, { userId: 'alice', version: '2.0.0' }] }],
    ['an unknown beta release', { ...valid, beta: '9.9.9' }],
    ['an unknown default release', { ...valid, defaultVersion: '9.9.9' }],
    ['a release listed twice', { ...valid, releases: [V1, V1] }],
    ['a release without a contract range', { ...valid, releases: [{ version: '1.0.0' }] }],
    ['an unsupported contract range', { ...valid, releases: [{ version: '1.0.0', contracts: '>=1.0.0' }] }],
    ['a malformed release version', { ...valid, releases: [{ version: 'latest', contracts: '^1.0.0' }], defaultVersion: 'latest' }],
    ['killed as text', { ...valid, killed: 'false' }],
    ['a missing denylist', { ...valid, denylist: undefined }],
    ['a null in the denylist', { ...valid, denylist: [null] }],
    ['a proxy that throws', hostile],
    ['a getter that throws', withThrowingGetter],
  ])('%s → invalid-rules', (_name, rules) => {
    let evaluation: ReturnType<typeof evaluateRemote> | undefined;
    expect(() => {
      evaluation = evaluateRemote(rules as unknown as RolloutRules, alice, SHELL);
    }).not.toThrow();
    expect(evaluation).toMatchObject({ release: null, reason: 'invalid-rules' });
    if (evaluation?.reason === 'invalid-rules') expect(evaluation.problems.length).toBeGreaterThan(0);
  });

  it.each([
    ['a missing user', undefined, SHELL],
    ['an empty user id', { userId: '', beta: false }, SHELL],
    ['a numeric user id', { userId: 42, beta: false }, SHELL],
    ['an over-long user id', { userId: 'x'.repeat(129), beta: false }, SHELL],
    ['beta as text', { userId: 'alice', beta: 'yes' }, SHELL],
    ['a malformed contract version', alice, '1.0'],
    ['a missing contract version', alice, undefined],
  ])('%s → invalid-request', (_name, user, contractVersion) => {
    const evaluation = evaluateRemote(valid, user as unknown as RolloutUser, contractVersion as unknown as string);
    expect(evaluation).toMatchObject({ release: null, reason: 'invalid-request' });
  });

  it('the same rules are fine once corrected (the cases above fail for their stated reason)', () => {
    expect(evaluateRemote(valid, alice, SHELL)).toMatchObject({ release: V1, reason: 'default' });
    expect(validateRolloutRules(valid)).toMatchObject({ ok: true });
  });

  it('validation names what is wrong, for the release CLI', () => {
    const result = validateRolloutRules({ ...valid, rollouts: [{ groupId: 'g', percent: 50, version: '9.9.9' }] });
    expect(result).toEqual({ ok: false, code: 'invalid-rules', problems: ['rollouts.0.version: no release 9.9.9'] });
  });
});

describe('describeEvaluation', () => {
  it('says who gets what and why', () => {
    const rules = rulesWith({ allowlist: [{ userId: 'alice', version: '4.0.0' }], rollouts: [{ groupId: 'call-v2', percent: 100, version: '2.0.0' }] });
    const bucket = rolloutBucket('call-v2', 'alice');
    expect(describeEvaluation(evaluateRemote(rules, alice, SHELL))).toBe(
      `2.0.0 via rollout call-v2 (bucket ${bucket} ≤ 100%); passed over 4.0.0 (allowlist): contract mismatch`,
    );
    expect(describeEvaluation(evaluateRemote({ ...rules, killed: true }, alice, SHELL))).toBe('none: kill switch is on');
    expect(describeEvaluation(evaluateRemote(null as unknown as RolloutRules, alice, SHELL))).toMatch(/^none: invalid-rules \(/);
  });
});

describe('the README example', () => {
  it('is a valid rule set that means what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(readme)![1]!) as RolloutRules;
    expect(validateRolloutRules(example)).toMatchObject({ ok: true });
    expect(evaluateRemote(example, { userId: 'u-qa-1', beta: false }, '1.0.0')).toMatchObject({ reason: 'default', incompatible: [{ rule: 'allowlist' }] });
    expect(evaluateRemote(example, { userId: 'u-qa-1', beta: false }, '1.2.0')).toMatchObject({ reason: 'allowlist' });
  });
});
