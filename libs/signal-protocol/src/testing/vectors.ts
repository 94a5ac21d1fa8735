import { fromHex } from '@parley/bytes';
import vectorsJson from '../../test-vectors/libsignal.json';

/** libsignal's known-answer constants (see test-vectors/README.md). */
export const vectors = vectorsJson;

/** Hex field → bytes. */
export const hex = fromHex;
