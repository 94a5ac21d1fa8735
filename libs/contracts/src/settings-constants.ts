// Settings constants (settings-api.ts has the schema): a module without zod, so the shell's first
// paint can name the path without loading schema code (like attachment-constants.ts).

/** `GET` and `PUT /api/settings/beta`: whether the signed-in user is in the beta program. */
export const BETA_SETTING_PATH = '/api/settings/beta';
