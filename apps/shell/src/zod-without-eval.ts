/**
 * The Content-Security-Policy forbids eval. Zod compiles object parsers with `new Function` when it
 * may, and finds out by trying once on its first parse: blocked, that try is still reported as a
 * policy violation. Jitless parsing never tries. Imported first, before anything parses.
 */
import { config } from 'zod';

config({ jitless: true });
