export { murmur3_x86_32 } from './murmur3.js';
export { ROLLOUT_SEED, VARIANT_SEED, inRollout, rolloutBucket, selectVariant, type WeightedVariant } from './bucket.js';
export {
  compareSemanticVersions,
  parseContractRange,
  parseSemanticVersion,
  satisfiesContractRange,
  type ContractComparator,
  type ContractRange,
  type SemanticVersion,
} from './contract-range.js';
export {
  MAX_ID_LENGTH,
  NO_RELEASE_RULES,
  validateRolloutRules,
  type AllowlistEntry,
  type PercentageRollout,
  type RolloutRelease,
  type RolloutRules,
  type RulesValidation,
} from './rules.js';
export {
  describeEvaluation,
  evaluateRemote,
  type NoReleaseReason,
  type ReleaseOffer,
  type ReleaseRule,
  type RemoteEvaluation,
  type RolloutPlacement,
  type RolloutUser,
} from './evaluate.js';
export {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  MANIFEST_SIGNATURE_ALG,
  verifySignedManifest,
  type ManifestRejectionCode,
  type ManifestVerification,
  type PinnedManifestKey,
} from './signature.js';
// Old names of @parley/bytes' strict base64, re-exported only for apps/server (manifest-keys.ts) until it
// imports @parley/bytes itself.
