import { BetaSettingSchema } from '@parley/contracts';

// A module of its own so that Settings loads the schema (zod) when it asks, rather than the shell's
// first paint (Shell.tsx imports this lazily; issue 20).

/** Whether the server's answer says the user is in the beta program; throws when it is not a beta setting. */
export const readBetaSetting = (answer: unknown): boolean => BetaSettingSchema.parse(answer).enabled;
