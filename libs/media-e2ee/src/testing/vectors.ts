// Test-only (Node): loads the RFC 9605 Appendix C vectors copied into test-vectors/ (see its README).
import { readFileSync } from 'node:fs';
import { fromHex } from '@parley/bytes';
import type { CipherSuiteId } from '../cipher-suite.js';

interface RawVectors {
  header: { kid: string; ctr: string; encoded: string }[];
  aes_ctr_hmac: { cipher_suite: number; key: string; enc_key: string; auth_key: string; nonce: string; aad: string; pt: string; ct: string }[];
  sframe: {
    cipher_suite: number;
    kid: string;
    ctr: string;
    base_key: string;
    sframe_key_label: string;
    sframe_salt_label: string;
    sframe_secret: string;
    sframe_key: string;
    sframe_salt: string;
    metadata: string;
    nonce: string;
    aad: string;
    pt: string;
    ct: string;
  }[];
}

const text = readFileSync(new URL('../../test-vectors/test-vectors.json', import.meta.url), 'utf8');
// KID and CTR reach 2^64 − 1, beyond exact JSON numbers in JavaScript: quote them before parsing.
const raw = JSON.parse(text.replace(/"(kid|ctr)":\s*(\d+)/g, '"$1": "$2"')) as RawVectors;

/** §4.3 header encodings. */
export const headerVectors = raw.header.map((v) => ({ kid: BigInt(v.kid), ctr: BigInt(v.ctr), encoded: fromHex(v.encoded) }));

/** §4.5.1 AES-CTR + HMAC AEAD cases. */
export const aesCtrHmacVectors = raw.aes_ctr_hmac.map((v) => ({
  suite: v.cipher_suite as CipherSuiteId,
  key: fromHex(v.key),
  encKey: fromHex(v.enc_key),
  authKey: fromHex(v.auth_key),
  nonce: fromHex(v.nonce),
  aad: fromHex(v.aad),
  pt: fromHex(v.pt),
  ct: fromHex(v.ct),
}));

/** Whole-SFrame cases, one per suite, with every intermediate value. */
export const sframeVectors = raw.sframe.map((v) => ({
  suite: v.cipher_suite as CipherSuiteId,
  kid: BigInt(v.kid),
  ctr: BigInt(v.ctr),
  baseKey: fromHex(v.base_key),
  keyLabel: fromHex(v.sframe_key_label),
  saltLabel: fromHex(v.sframe_salt_label),
  secret: fromHex(v.sframe_secret),
  key: fromHex(v.sframe_key),
  salt: fromHex(v.sframe_salt),
  metadata: fromHex(v.metadata),
  nonce: fromHex(v.nonce),
  aad: fromHex(v.aad),
  pt: fromHex(v.pt),
  ct: fromHex(v.ct),
}));
