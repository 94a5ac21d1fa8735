import type { Session } from '@parley/contracts';

// TEMPORARY: a development identity until real accounts arrive with the chat issue (onboarding,
// device keys, bearer tokens). It is a stable per-browser user id and nothing more: no secret,
// no key, and the server's matching stub accepts any well-formed one.
const STORAGE_KEY = 'parley.dev-identity.v1';

interface DevIdentity {
  readonly userId: string;
  readonly displayName: string;
}

function createDevIdentity(random: () => string): DevIdentity {
  const suffix = random();
  return { userId: `dev-${suffix}`, displayName: `Guest ${suffix.slice(0, 4).toUpperCase()}` };
}

/** The development identity of this browser, created on first use. */
export function loadDevIdentity(storage: Storage, random = () => crypto.randomUUID().replaceAll('-', '').slice(0, 16)): Session {
  let identity: DevIdentity | null = null;
  try {
    const stored = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as DevIdentity | null;
    if (stored && /^dev-[a-z0-9]{16}$/.test(stored.userId) && typeof stored.displayName === 'string') identity = stored;
  } catch {
    // A corrupt entry is replaced below; it holds nothing worth keeping.
  }
  if (!identity) {
    identity = createDevIdentity(random);
    storage.setItem(STORAGE_KEY, JSON.stringify(identity));
  }
  return { ...identity, temporary: true };
}

/** The bearer token the server's development stub expects. */
export function devToken(session: Session): string {
  return `dev.${session.userId}`;
}
