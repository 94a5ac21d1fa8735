import { describe, expect, it } from 'vitest';
import { compareSemanticVersions, parseContractRange, parseSemanticVersion, satisfiesContractRange } from './contract-range.js';

describe('satisfiesContractRange', () => {
  it.each([
    // caret on a major: same major, not below the base
    ['1.0.0', '^1.0.0', true],
    ['1.9.3', '^1.0.0', true],
    ['1.2.0', '^1.2.0', true],
    ['1.1.9', '^1.2.0', false],
    ['2.0.0', '^1.0.0', false],
    ['0.9.0', '^1.0.0', false],
    // caret below 1.0.0: the left-most non-zero part is fixed
    ['0.2.5', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    // exact
    ['1.4.2', '1.4.2', true],
    ['1.4.3', '1.4.2', false],
    // alternatives
    ['2.1.0', '^1.0.0 || ^2.0.0', true],
    ['3.0.0', '^1.0.0 || ^2.0.0', false],
    ['1.5.0', '1.4.2||^1.5.0', true],
    // pre-releases only match a comparator naming a pre-release of the same version
    ['2.0.0-rc.1', '^1.0.0', false],
    ['1.1.0-rc.1', '^1.0.0', false],
    ['1.0.0-rc.2', '^1.0.0-rc.1', true],
    ['1.0.0-rc.0', '^1.0.0-rc.1', false],
    ['1.0.1', '^1.0.0-rc.1', true],
    ['1.0.0-rc.1', '1.0.0-rc.1', true],
    ['1.0.0', '^1.0.0-rc.1', true],
    // multi-digit numbers compare numerically, not as text
    ['1.10.0', '^1.9.0', true],
    ['10.0.0', '^9.0.0', false],
  ] as const)('%s in %s → %s', (version, range, expected) => {
    expect(satisfiesContractRange(version, range)).toBe(expected);
  });

  it.each(['', '~1.0.0', '>=1.0.0', '1.0', '^1', '1.0.0 ||', 'x', '^^1.0.0', '1.02.0', '*', '1.0.0 - 2.0.0', '^1.0.0 ^2.0.0'])(
    'refuses the unsupported or malformed range %j (nothing satisfies it)',
    (range) => {
      expect(parseContractRange(range)).toBeNull();
      expect(satisfiesContractRange('1.0.0', range)).toBe(false);
    },
  );

  it('is false, not a throw, for a malformed version', () => {
    for (const version of ['', '1.0', 'v1.0.0', '01.0.0', '1.0.0+build']) {
      expect(satisfiesContractRange(version, '^1.0.0')).toBe(false);
    }
    expect(satisfiesContractRange(undefined as unknown as string, '^1.0.0')).toBe(false);
    expect(satisfiesContractRange('1.0.0', null as unknown as string)).toBe(false);
  });
});

describe('compareSemanticVersions', () => {
  it('orders versions by semver precedence', () => {
    // The example ordering from semver.org §11.
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1'];
    const parsed = ordered.map((text) => parseSemanticVersion(text)!);
    for (let i = 0; i < parsed.length; i += 1) {
      for (let j = 0; j < parsed.length; j += 1) {
        expect(Math.sign(compareSemanticVersions(parsed[i]!, parsed[j]!)), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
      }
    }
  });
});
