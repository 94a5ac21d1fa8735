/**
 * The cohort manifest as the server evaluates it for one signed-in user: which release of each
 * remote this user's shell loads. It travels as the exact JSON bytes that were signed plus a
 * detached signature, so the shell verifies the bytes before parsing them.
 *
 * Checked by hand, not with zod like the other contracts: the shell checks it on every visit before
 * the chat can load, and zod's core (~18 kB brotli, shared whole with the later chunks that use all
 * of it) would sit on that critical path for these few fields (issue 20). The checks are zod's
 * semantics: unknown fields are dropped, not refused (a newer server may add some); `manifest.test.ts`
 * holds them against an equivalent zod schema.
 */
export const MANIFEST_SCHEMA_VERSION = 1;

/** Names the shell knows how to mount; a remote's Module Federation `name` is the same. */
export const REMOTE_NAMES = ['chat', 'call'] as const;
export type RemoteName = (typeof REMOTE_NAMES)[number];

/** One release of a remote as the manifest names it. */
export interface RemoteRelease {
  /** Absolute http(s) URL of the release's `remoteEntry.js`. */
  readonly entry: string;
  /** A semantic version like 1.2.3. */
  readonly version: string;
  /** Subresource Integrity of the entry, e.g. `sha384-…`. */
  readonly integrity: string;
}

/** Why a remote is missing from a manifest although the rules offered it: none of its offered releases supports the shell's contract. */
export interface WithheldRemote {
  readonly reason: 'contract';
  /** The offered releases that were passed over, best first (1–16). */
  readonly versions: readonly string[];
}

export interface EvaluatedManifest {
  readonly schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  /** 1–128 characters. */
  readonly userId: string;
  /** Milliseconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The shell contract version the manifest was evaluated for. */
  readonly contractVersion: string;
  readonly remotes: Partial<Record<RemoteName, RemoteRelease>>;
  /** Remotes withheld from this shell, and why; absent when none is. Shells that predate it ignore it. */
  readonly withheld?: Partial<Record<RemoteName, WithheldRemote>>;
}

export interface ManifestSignature {
  readonly alg: 'Ed25519';
  /** 1–64 characters. */
  readonly keyId: string;
  /** base64 of the 64-byte signature over the UTF-8 bytes of `manifest` (1–200 characters). */
  readonly value: string;
}

export interface SignedManifest {
  /** The evaluated manifest, serialized (2–65,536 characters): these exact bytes are what is signed. */
  readonly manifest: string;
  /** Null until releases are signed (the release-train issue). */
  readonly signature: ManifestSignature | null;
}

/** A checked value, or the first problem found (as `path: what was expected`). */
export type Checked<T> = { readonly success: true; readonly data: T } | { readonly success: false; readonly problem: string };

/** Thrown by a check's `parse`, which is for callers that trust the value (tests, the server's own output). */
export class ManifestShapeError extends Error {
  override readonly name = 'ManifestShapeError';
}

/** A check with zod's two ways of asking: `safeParse` (a result) and `parse` (throws). */
export interface ShapeCheck<T> {
  safeParse(value: unknown): Checked<T>;
  parse(value: unknown): T;
}

type Read<T> = (value: unknown, path: string) => T;

const fail = (path: string, expected: string): never => {
  throw new ManifestShapeError(`${path || 'the value'}: expected ${expected}`);
};

function shapeCheck<T>(read: Read<T>): ShapeCheck<T> {
  const safeParse = (value: unknown): Checked<T> => {
    try {
      return { success: true, data: read(value, '') };
    } catch (error) {
      if (error instanceof ManifestShapeError) return { success: false, problem: error.message };
      throw error;
    }
  };
  return {
    safeParse,
    parse(value) {
      const checked = safeParse(value);
      if (!checked.success) throw new ManifestShapeError(checked.problem);
      return checked.data;
    },
  };
}

// WHATWG URL is in every runtime the contracts run in; this library's TypeScript lib names no DOM.
declare const URL: new (input: string) => { readonly protocol: string };

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object');
  return value as Record<string, unknown>;
}

function text(value: unknown, path: string, min: number, max: number, pattern?: RegExp, what?: string): string {
  if (typeof value !== 'string') return fail(path, 'a string');
  if (value.length < min || value.length > max) fail(path, `${min}–${max} characters`);
  if (pattern && !pattern.test(value)) fail(path, what ?? String(pattern));
  return value;
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const SRI = /^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/;
const semver = (value: unknown, path: string) => text(value, path, 0, Infinity, SEMVER, 'a semantic version like 1.2.3');

function nonNegativeInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(path, 'a non-negative integer');
  return value as number;
}

function httpUrl(value: unknown, path: string): string {
  const entry = text(value, path, 0, Infinity);
  let protocol = '';
  try {
    protocol = new URL(entry).protocol;
  } catch {
    fail(path, 'an absolute URL');
  }
  if (protocol !== 'http:' && protocol !== 'https:') fail(path, 'an http or https URL');
  return entry;
}

/** An object whose keys are remote names only, each optional, every value read by `readValue`. */
function byRemote<T>(value: unknown, path: string, readValue: Read<T>): Partial<Record<RemoteName, T>> {
  const fields = record(value, path);
  const result: Partial<Record<RemoteName, T>> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (!(REMOTE_NAMES as readonly string[]).includes(name)) fail(at(path, name), `one of ${REMOTE_NAMES.join(', ')}`);
    result[name as RemoteName] = readValue(field, at(path, name));
  }
  return result;
}

const readRemoteRelease: Read<RemoteRelease> = (value, path) => {
  const fields = record(value, path);
  return {
    entry: httpUrl(fields['entry'], at(path, 'entry')),
    version: semver(fields['version'], at(path, 'version')),
    integrity: text(fields['integrity'], at(path, 'integrity'), 0, Infinity, SRI, 'an SRI hash like sha384-…'),
  };
};

const readWithheldRemote: Read<WithheldRemote> = (value, path) => {
  const fields = record(value, path);
  if (fields['reason'] !== 'contract') fail(at(path, 'reason'), '"contract"');
  const versions = fields['versions'];
  if (!Array.isArray(versions) || versions.length < 1 || versions.length > 16) fail(at(path, 'versions'), 'a list of 1–16 versions');
  return { reason: 'contract', versions: (versions as unknown[]).map((version, index) => semver(version, `${at(path, 'versions')}[${index}]`)) };
};

const readEvaluatedManifest: Read<EvaluatedManifest> = (value, path) => {
  const fields = record(value, path);
  if (fields['schemaVersion'] !== MANIFEST_SCHEMA_VERSION) fail(at(path, 'schemaVersion'), String(MANIFEST_SCHEMA_VERSION));
  const manifest: EvaluatedManifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    userId: text(fields['userId'], at(path, 'userId'), 1, 128),
    issuedAt: nonNegativeInteger(fields['issuedAt'], at(path, 'issuedAt')),
    expiresAt: nonNegativeInteger(fields['expiresAt'], at(path, 'expiresAt')),
    contractVersion: semver(fields['contractVersion'], at(path, 'contractVersion')),
    remotes: byRemote(fields['remotes'], at(path, 'remotes'), readRemoteRelease),
  };
  return fields['withheld'] === undefined ? manifest : { ...manifest, withheld: byRemote(fields['withheld'], at(path, 'withheld'), readWithheldRemote) };
};

const readManifestSignature: Read<ManifestSignature> = (value, path) => {
  const fields = record(value, path);
  if (fields['alg'] !== 'Ed25519') fail(at(path, 'alg'), '"Ed25519"');
  return { alg: 'Ed25519', keyId: text(fields['keyId'], at(path, 'keyId'), 1, 64), value: text(fields['value'], at(path, 'value'), 1, 200) };
};

const readSignedManifest: Read<SignedManifest> = (value, path) => {
  const fields = record(value, path);
  const manifest = text(fields['manifest'], at(path, 'manifest'), 2, 65_536);
  const signature = fields['signature'] === null ? null : readManifestSignature(fields['signature'], at(path, 'signature'));
  return { manifest, signature };
};

const contractVersionCheck = shapeCheck(semver);
/** Whether `value` can be a manifest's contract version (a semantic version). */
export const isManifestContractVersion = (value: unknown): value is string => contractVersionCheck.safeParse(value).success;

export const RemoteReleaseSchema = shapeCheck(readRemoteRelease);
export const WithheldRemoteSchema = shapeCheck(readWithheldRemote);
export const EvaluatedManifestSchema = shapeCheck(readEvaluatedManifest);
export const ManifestSignatureSchema = shapeCheck(readManifestSignature);
export const SignedManifestSchema = shapeCheck(readSignedManifest);
