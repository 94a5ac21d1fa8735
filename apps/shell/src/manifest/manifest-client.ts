import {
  CONTRACT_VERSION,
  type EvaluatedManifest,
  EvaluatedManifestSchema,
  SignedManifestSchema,
  majorOf,
} from '@parley/contracts';

export type ManifestErrorCode = 'network' | 'http' | 'invalid' | 'unsigned' | 'expired' | 'wrong-user' | 'stale' | 'contract';

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
  readonly fetchImpl?: typeof fetch;
}

/**
 * Fetches the cohort manifest evaluated for this user and checks it before anything is loaded
 * from it: shape, user, expiry, freshness and contract version.
 */
export async function fetchManifest(request: ManifestRequest): Promise<EvaluatedManifest> {
  const fetchImpl = request.fetchImpl ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(`/api/manifest?contract=${encodeURIComponent(CONTRACT_VERSION)}`, {
      headers: { Authorization: `Bearer ${request.token}` },
      cache: 'no-store',
    });
  } catch (error) {
    throw new ManifestError('network', `The server could not be reached (${String(error)}).`);
  }
  if (!response.ok) throw new ManifestError('http', `The server answered ${response.status}.`);
  const signed = SignedManifestSchema.safeParse(await response.json().catch(() => null));
  if (!signed.success) throw new ManifestError('invalid', 'The manifest response is malformed.');
  // Signatures arrive with the release-train issue; until then no key is pinned and the shell
  // accepts the server's unsigned manifest over its own origin.
  let parsed: unknown;
  try {
    parsed = JSON.parse(signed.data.manifest);
  } catch {
    throw new ManifestError('invalid', 'The manifest is not JSON.');
  }
  const manifest = EvaluatedManifestSchema.safeParse(parsed);
  if (!manifest.success) throw new ManifestError('invalid', 'The manifest does not match its schema.');
  return checkManifest(manifest.data, request);
}

/** The checks on a well-formed manifest, separate so they are tested without a server. */
export function checkManifest(manifest: EvaluatedManifest, request: Pick<ManifestRequest, 'userId' | 'now' | 'lastAcceptedIssuedAt'>): EvaluatedManifest {
  if (manifest.userId !== request.userId) throw new ManifestError('wrong-user', 'The manifest was evaluated for another user.');
  if (manifest.expiresAt <= request.now()) throw new ManifestError('expired', 'The manifest has expired.');
  if (manifest.issuedAt < request.lastAcceptedIssuedAt) throw new ManifestError('stale', 'The manifest is older than one already accepted.');
  if (majorOf(manifest.contractVersion) !== majorOf(CONTRACT_VERSION)) {
    throw new ManifestError('contract', `The manifest is for contract ${manifest.contractVersion}, the shell speaks ${CONTRACT_VERSION}.`);
  }
  return manifest;
}
