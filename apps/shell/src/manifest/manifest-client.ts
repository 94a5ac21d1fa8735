import { CONTRACT_VERSION, type EvaluatedManifest, type SignedManifest, majorOf } from '@parley/contracts';
import { type PinnedManifestKey, verifySignedManifest } from '@parley/rollout';
import { manifestRequest } from './manifest-prefetch.js';

export type ManifestErrorCode =
  | 'network'
  | 'http'
  | 'invalid'
  | 'unsigned'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'wrong-user'
  | 'stale'
  | 'contract';

/** Why the shell refused or could not get a manifest. */
export class ManifestError extends Error {
  constructor(
    readonly code: ManifestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

export interface ManifestRequest {
  readonly token: string;
  readonly userId: string;
  readonly now: () => number;
  /** `issuedAt` of the last manifest this browser accepted: an older one is a replay. */
  readonly lastAcceptedIssuedAt: number;
  /** The keys pinned in this shell build (current and next). */
  readonly pinnedKeys: readonly PinnedManifestKey[];
  readonly fetchImpl?: typeof fetch;
  /** The same request, already under way (manifest-prefetch.ts): checked like a fresh one. */
  readonly prefetched?: Promise<Response>;
}

/** A manifest that passed every check, with the signed envelope it came in (kept for the safe default). */
export interface AcceptedManifest {
  readonly manifest: EvaluatedManifest;
  readonly signed: SignedManifest;
}

/**
 * Fetches the cohort manifest evaluated for this user and checks it before anything is loaded from
 * it: the Ed25519 signature over the exact bytes against the pinned keys (before parsing), then user,
 * expiry, freshness and contract version.
 */
export async function fetchManifest(request: ManifestRequest): Promise<AcceptedManifest> {
  const fetchImpl = request.fetchImpl ?? fetch;
  let response: Response;
  try {
    const { url, init } = manifestRequest(request.token, CONTRACT_VERSION);
    response = await (request.prefetched ?? fetchImpl(url, init));
  } catch (error) {
    throw new ManifestError('network', `The server could not be reached (${String(error)}).`);
  }
  if (!response.ok) throw new ManifestError('http', `The server answered ${response.status}.`);
  const body: unknown = await response.json().catch(() => null);
  const manifest = await verifyManifest(body, request.pinnedKeys);
  return { manifest: checkManifest(manifest, request), signed: body as SignedManifest };
}

/** The signature check alone: the verified manifest, or a typed refusal. */
export async function verifyManifest(signed: unknown, pinnedKeys: readonly PinnedManifestKey[]): Promise<EvaluatedManifest> {
  const verified = await verifySignedManifest(signed, pinnedKeys);
  if (!verified.ok) throw new ManifestError(verified.code, verified.message);
  return verified.manifest;
}

/** The checks on a verified manifest, separate so they are tested without a server. */
export function checkManifest(manifest: EvaluatedManifest, request: Pick<ManifestRequest, 'userId' | 'now' | 'lastAcceptedIssuedAt'>): EvaluatedManifest {
  if (manifest.userId !== request.userId) throw new ManifestError('wrong-user', 'The manifest was evaluated for another user.');
  if (manifest.expiresAt <= request.now()) throw new ManifestError('expired', 'The manifest has expired.');
  if (manifest.issuedAt < request.lastAcceptedIssuedAt) throw new ManifestError('stale', 'The manifest is older than one already accepted.');
  if (majorOf(manifest.contractVersion) !== majorOf(CONTRACT_VERSION)) {
    throw new ManifestError('contract', `The manifest is for contract ${manifest.contractVersion}, the shell speaks ${CONTRACT_VERSION}.`);
  }
  return manifest;
}

/**
 * How long the last accepted manifest may stand in as the safe default after it was issued. Its chat
 * release was vouched for then; the longer it stands in, the longer a release the operator has since
 * pulled (a vulnerable chat build) keeps running on a browser that is fed refusals, e.g. by someone
 * blocking or forging the manifest. A week covers an outage or a botched key rotation.
 */
export const SAFE_DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The safe default when a manifest is refused: only the chat, from the last manifest this browser
 * accepted — re-verified against the pinned keys and for this user, but past its expiry (the chat
 * must keep working; its entry is still integrity-pinned), if issued within SAFE_DEFAULT_MAX_AGE_MS
 * of `now`. Never the call app or any other remote: those need a fresh, valid manifest. Null when
 * there is nothing trustworthy to fall back to.
 */
export async function safeDefault(lastAccepted: unknown, userId: string, pinnedKeys: readonly PinnedManifestKey[], now: number): Promise<EvaluatedManifest | null> {
  const verified = await verifySignedManifest(lastAccepted, pinnedKeys);
  if (!verified.ok || verified.manifest.userId !== userId) return null;
  if (now - verified.manifest.issuedAt > SAFE_DEFAULT_MAX_AGE_MS) return null;
  const chat = verified.manifest.remotes.chat;
  return chat ? { ...verified.manifest, remotes: { chat } } : null;
}
