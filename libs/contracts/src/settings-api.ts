/**
 * Per-account settings the server keeps: for now the beta program (early releases of the remotes,
 * offered by the cohort manifest to users who opted in).
 */
import { z } from 'zod';

/** `GET` and `PUT /api/settings/beta`: whether the signed-in user is in the beta program. */
export const BETA_SETTING_PATH = '/api/settings/beta';

export const BetaSettingSchema = z.object({ enabled: z.boolean() }).strict();
export type BetaSetting = z.infer<typeof BetaSettingSchema>;
