/** Why a build refuses to pin no keys. */
export const NO_PINNED_KEYS_MESSAGE: string;
/** The manifest public keys the shell build pins; throws when none were given and development keys were not asked for. */
export function pinnedManifestKeys(env?: NodeJS.ProcessEnv, options?: { devServer?: boolean }): { keyId: string; publicKey: string }[];
