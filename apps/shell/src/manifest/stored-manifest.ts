// Where the shell keeps the last manifest it accepted (localStorage; a sign-out wipes both). A module
// of its own so the first screen can tell a returning browser without loading the signed-in shell.

/** The issue time of the last accepted manifest: a manifest issued earlier is refused (replay). */
export const LAST_MANIFEST_KEY = 'parley.manifest.last-issued-at';
/** The signed envelope of the last accepted manifest: the safe default's source (see safeDefault). */
export const LAST_SIGNED_MANIFEST_KEY = 'parley.manifest.last-accepted';
