/**
 * Sticky bucketing, compatible with Unleash's gradual/flexible rollout and variant selection
 * (Unleash/client-specification). A user's bucket depends only on the group id and the user id, so
 * raising a percentage only adds users, and a new group id draws a fresh, independent sample.
 */
import { murmur3_x86_32 } from './murmur3.js';

/** Seed of the rollout hash (Unleash's `normalizedValue`). */
export const ROLLOUT_SEED = 0;
/** Seed of the variant hash (Unleash's `normalizedVariantValue`), independent of the rollout bucket. */
export const VARIANT_SEED = 86_028_157;

/** The user's rollout bucket in a group, 1..100: `murmur3_x86_32("${groupId}:${userId}", 0) % 100 + 1`. */
export function rolloutBucket(groupId: string, userId: string): number {
  return (murmur3_x86_32(`${groupId}:${userId}`, ROLLOUT_SEED) % 100) + 1;
}

/** Whether the user falls inside a `percent` rollout of the group (0 includes nobody, 100 everybody). */
export function inRollout(groupId: string, userId: string, percent: number): boolean {
  return percent > 0 && rolloutBucket(groupId, userId) <= percent;
}

/** A weighted choice, as in an Unleash variant definition. */
export interface WeightedVariant {
  readonly name: string;
  /** Non-negative integer; a zero weight is never chosen. */
  readonly weight: number;
}

/**
 * The variant the user gets from weighted choices, as Unleash selects variants: bucket
 * `murmur3_x86_32("${groupId}:${userId}", 86028157) % totalWeight + 1`, then the first variant whose
 * cumulative weight reaches it. Null when there is nothing to choose from.
 */
export function selectVariant<V extends WeightedVariant>(groupId: string, userId: string, variants: readonly V[]): V | null {
  const totalWeight = variants.reduce((sum, variant) => sum + variant.weight, 0);
  if (!(totalWeight > 0)) return null;
  const target = (murmur3_x86_32(`${groupId}:${userId}`, VARIANT_SEED) % totalWeight) + 1;
  let cumulative = 0;
  for (const variant of variants) {
    if (variant.weight <= 0) continue;
    cumulative += variant.weight;
    if (cumulative >= target) return variant;
  }
  return null;
}
