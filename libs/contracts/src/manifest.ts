/**
 * The cohort manifest as the server evaluates it for one signed-in user: which release of each
 * remote this user's shell loads. It travels as the exact JSON bytes that were signed plus a
 * detached signature, so the shell verifies the bytes before parsing them.
 */
import { z } from 'zod';

export const MANIFEST_SCHEMA_VERSION = 1;

/** Names the shell knows how to mount; a remote's Module Federation `name` is the same. */
export const REMOTE_NAMES = ['chat', 'call'] as const;
export type RemoteName = (typeof REMOTE_NAMES)[number];

const semver = z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'a semantic version like 1.2.3');

export const RemoteReleaseSchema = z.object({
  /** Absolute URL of the release's `remoteEntry.js`. */
  entry: z.url({ protocol: /^https?$/ }),
  version: semver,
  /** Subresource Integrity of the entry, e.g. `sha384-…`. */
  integrity: z.string().regex(/^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/, 'an SRI hash like sha384-…'),
});

/** Why a remote is missing from a manifest although the rules offered it: none of its offered releases supports the shell's contract. */
export const WithheldRemoteSchema = z.object({
  reason: z.literal('contract'),
  /** The offered releases that were passed over, best first. */
  versions: z.array(semver).min(1).max(16),
});

export const EvaluatedManifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  userId: z.string().min(1).max(128),
  /** Milliseconds since the epoch. */
  issuedAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
  /** The shell contract version the manifest was evaluated for. */
  contractVersion: semver,
  remotes: z.partialRecord(z.enum(REMOTE_NAMES), RemoteReleaseSchema),
  /** Remotes withheld from this shell, and why; absent when none is. Shells that predate it ignore it. */
  withheld: z.partialRecord(z.enum(REMOTE_NAMES), WithheldRemoteSchema).optional(),
});

export const ManifestSignatureSchema = z.object({
  alg: z.literal('Ed25519'),
  keyId: z.string().min(1).max(64),
  /** base64 of the 64-byte signature over the UTF-8 bytes of `manifest`. */
  value: z.string().min(1).max(200),
});

export const SignedManifestSchema = z.object({
  /** The evaluated manifest, serialized: these exact bytes are what is signed. */
  manifest: z.string().min(2).max(65_536),
  /** Null until releases are signed (the release-train issue). */
  signature: ManifestSignatureSchema.nullable(),
});

export type RemoteRelease = z.infer<typeof RemoteReleaseSchema>;
export type WithheldRemote = z.infer<typeof WithheldRemoteSchema>;
export type EvaluatedManifest = z.infer<typeof EvaluatedManifestSchema>;
export type ManifestSignature = z.infer<typeof ManifestSignatureSchema>;
export type SignedManifest = z.infer<typeof SignedManifestSchema>;
