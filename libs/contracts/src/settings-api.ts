/**
 * Per-account settings the server keeps: for now the beta program (early releases of the remotes,
 * offered by the cohort manifest to users who opted in).
 */
import { z } from 'zod';

export const BetaSettingSchema = z.object({ enabled: z.boolean() }).strict();
export type BetaSetting = z.infer<typeof BetaSettingSchema>;
