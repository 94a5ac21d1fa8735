export function pinnedManifestKeys(env?: NodeJS.ProcessEnv): { keyId: string; publicKey: string }[];
