import vectorsJson from '../../test-vectors/libsignal.json';
import { fromHex } from '../bytes.js';

/** libsignal's known-answer constants (see test-vectors/README.md). */
export const vectors = vectorsJson;

/** Hex field → bytes. */
export const hex = fromHex;
