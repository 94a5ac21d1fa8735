/**
 * Reproducible random inputs for property-style tests. The seed comes from ROLLOUT_PROPERTY_SEED when
 * set, otherwise it is drawn fresh and printed, so a failing run can be replayed exactly.
 */

/** The seed for this run: ROLLOUT_PROPERTY_SEED, or a fresh random one. Printed either way. */
export function propertySeed(label: string): number {
  const fromEnv = process.env['ROLLOUT_PROPERTY_SEED'];
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  console.info(`[${label}] property seed ${seed} (replay with ROLLOUT_PROPERTY_SEED=${seed})`);
  return seed;
}

/** mulberry32: a small, fast, seeded 32-bit generator; uniform floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

/** `count` distinct user ids shaped like real ones: UUID-like, numeric, short handles, a few non-ASCII. */
export function generateUserIds(random: () => number, count: number): string[] {
  const ids = new Set<string>();
  const hex = (length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  while (ids.size < count) {
    const shape = random();
    if (shape < 0.4) ids.add(`${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`);
    else if (shape < 0.7) ids.add(String(Math.floor(random() * 1e9)));
    else if (shape < 0.95) ids.add(Array.from({ length: 3 + Math.floor(random() * 12) }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join(''));
    else ids.add(`пользователь-${Math.floor(random() * 1e6)}`);
  }
  return [...ids];
}
