import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inRollout, rolloutBucket, selectVariant, type WeightedVariant } from './bucket.js';
import { murmur3_x86_32 } from './murmur3.js';
import { generateUserIds, propertySeed, seededRandom } from './testing/seeded-ids.js';

interface RolloutVector {
  groupId: string;
  userId: string;
  percentage: number;
  expectedEnabled: boolean;
  source: string;
  description: string;
}
interface VariantVector {
  groupId: string;
  userId: string;
  variants: WeightedVariant[];
  expectedVariant: string;
  source: string;
}

const vectors = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`../test-vectors/${name}`, import.meta.url), 'utf8')) as T[];
const rolloutVectors = vectors<RolloutVector>('buckets.json');
const variantVectors = vectors<VariantVector>('variant-buckets.json');

describe('Unleash rollout vectors (client-specification)', () => {
  it('has every case of the shared set, enabled and disabled ones', () => {
    expect(rolloutVectors).toHaveLength(19);
    expect(rolloutVectors.filter((vector) => vector.expectedEnabled).length).toBeGreaterThan(0);
    expect(rolloutVectors.filter((vector) => !vector.expectedEnabled).length).toBeGreaterThan(0);
  });

  it.each(rolloutVectors.map((vector) => [`${vector.source}: ${vector.description} (${vector.groupId}:${vector.userId} at ${vector.percentage}%)`, vector] as const))(
    '%s',
    (_name, vector) => {
      expect(inRollout(vector.groupId, vector.userId, vector.percentage)).toBe(vector.expectedEnabled);
    },
  );
});

describe('Unleash variant vectors (client-specification)', () => {
  it('has every case of the shared set', () => {
    expect(variantVectors).toHaveLength(16);
  });

  it.each(variantVectors.map((vector) => [`${vector.source}: ${vector.groupId}:${vector.userId} → ${vector.expectedVariant}`, vector] as const))(
    '%s',
    (_name, vector) => {
      expect(selectVariant(vector.groupId, vector.userId, vector.variants)?.name).toBe(vector.expectedVariant);
    },
  );

  it('never picks a zero-weight variant and picks nothing from zero total weight', () => {
    const ids = generateUserIds(seededRandom(7), 500);
    for (const id of ids) {
      expect(selectVariant('g', id, [{ name: 'off', weight: 0 }, { name: 'on', weight: 3 }])?.name).toBe('on');
      expect(selectVariant('g', id, [{ name: 'off', weight: 0 }])).toBeNull();
    }
    expect(selectVariant('g', 'u', [])).toBeNull();
  });
});

describe('rolloutBucket', () => {
  it('is murmur3_x86_32("<group>:<user>", 0) % 100 + 1', () => {
    expect(rolloutBucket('AB12A', '123')).toBe((murmur3_x86_32('AB12A:123', 0) % 100) + 1);
    expect(rolloutBucket('AB12A', '123')).toBe((0x747ed136 % 100) + 1);
  });

  it('stays within 1..100 and is deterministic', () => {
    for (const id of generateUserIds(seededRandom(1), 2_000)) {
      const bucket = rolloutBucket('call-v2', id);
      expect(bucket).toBeGreaterThanOrEqual(1);
      expect(bucket).toBeLessThanOrEqual(100);
      expect(rolloutBucket('call-v2', id)).toBe(bucket);
    }
  });

  it('includes nobody at 0% and everybody at 100%', () => {
    for (const id of generateUserIds(seededRandom(2), 2_000)) {
      expect(inRollout('call-v2', id, 0)).toBe(false);
      expect(inRollout('call-v2', id, 100)).toBe(true);
    }
  });
});

describe('percentage rollouts over generated users', () => {
  const seed = propertySeed('rollout');
  const users = generateUserIds(seededRandom(seed), 5_000);
  const included = (groupId: string, percent: number, population = users) =>
    new Set(population.filter((id) => inRollout(groupId, id, percent)));

  it('widening 10 → 50 → 100 keeps everyone who was already in', () => {
    const steps = [10, 50, 100].map((percent) => included('call-v2', percent));
    for (let i = 1; i < steps.length; i += 1) {
      const evicted = [...steps[i - 1]!].filter((id) => !steps[i]!.has(id));
      expect(evicted, `seed ${seed}`).toEqual([]);
    }
    expect(steps[2]!.size).toBe(users.length);
    expect(steps[0]!.size).toBeLessThan(steps[1]!.size);
  });

  it('widening one point at a time never evicts anyone', () => {
    let previous = new Set<string>();
    for (let percent = 0; percent <= 100; percent += 1) {
      const current = included('call-v2', percent);
      expect([...previous].every((id) => current.has(id)), `seed ${seed}, ${percent}%`).toBe(true);
      previous = current;
    }
  });

  it('a 50% rollout of 1,000 users enables 453..547 of them (3σ)', () => {
    // Fixed ids, not the seeded ones: a 3σ bound would fail one random seed in 370.
    const synthetic = Array.from({ length: 1_000 }, (_, i) => `synthetic-user-${i}`);
    const enabled = included('call-v2', 50, synthetic).size;
    expect(enabled).toBeGreaterThanOrEqual(453);
    expect(enabled).toBeLessThanOrEqual(547);
  });

  it('a new group id reshuffles: its 10% is an independent sample', () => {
    const before = included('call-v2', 10);
    const after = included('call-v2-take2', 10);
    const kept = [...before].filter((id) => after.has(id)).length;
    // Independent samples of ~500 overlap in ~50 users (sd ≈ 7); the same sample would keep all ~500.
    expect(kept, `seed ${seed}`).toBeLessThan(100);
    expect(after.size, `seed ${seed}`).toBeGreaterThan(400);
  });
});
