import { SFrameError } from './errors.js';

/** The cipher suites of RFC 9605 §4.5 with their IANA identifiers (§8.1). */
export const CipherSuite = {
  AES_128_CTR_HMAC_SHA256_80: 0x0001,
  AES_128_CTR_HMAC_SHA256_64: 0x0002,
  AES_128_CTR_HMAC_SHA256_32: 0x0003,
  AES_128_GCM_SHA256_128: 0x0004,
  AES_256_GCM_SHA512_128: 0x0005,
} as const;

/** One of the RFC 9605 cipher suite identifiers. */
export type CipherSuiteId = (typeof CipherSuite)[keyof typeof CipherSuite];

/** The suite Parley uses unless a caller picks another: the one every implementation must offer. */
export const DEFAULT_CIPHER_SUITE: CipherSuiteId = CipherSuite.AES_128_GCM_SHA256_128;

/** The constants of one cipher suite, named as in RFC 9605 §4.4 (sizes in bytes). */
export interface CipherSuiteParams {
  readonly id: CipherSuiteId;
  readonly name: keyof typeof CipherSuite;
  /** Hash for HKDF (and, for the CTR suites, HMAC). */
  readonly hash: 'SHA-256' | 'SHA-512';
  /** `AES-GCM`, or the compound AES-CTR + HMAC AEAD of §4.5.1. */
  readonly aead: 'AES-GCM' | 'AES-CTR-HMAC';
  readonly Nh: number;
  /** AES key size inside the compound AEAD key (CTR suites only, 0 otherwise). */
  readonly Nka: number;
  readonly Nk: number;
  readonly Nn: number;
  readonly Nt: number;
}

function ctrHmac(id: CipherSuiteId, name: keyof typeof CipherSuite, Nt: number): CipherSuiteParams {
  return { id, name, hash: 'SHA-256', aead: 'AES-CTR-HMAC', Nh: 32, Nka: 16, Nk: 48, Nn: 12, Nt };
}

const SUITES: ReadonlyMap<number, CipherSuiteParams> = new Map<number, CipherSuiteParams>([
  [0x0001, ctrHmac(0x0001, 'AES_128_CTR_HMAC_SHA256_80', 10)],
  [0x0002, ctrHmac(0x0002, 'AES_128_CTR_HMAC_SHA256_64', 8)],
  [0x0003, ctrHmac(0x0003, 'AES_128_CTR_HMAC_SHA256_32', 4)],
  [0x0004, { id: 0x0004, name: 'AES_128_GCM_SHA256_128', hash: 'SHA-256', aead: 'AES-GCM', Nh: 32, Nka: 0, Nk: 16, Nn: 12, Nt: 16 }],
  [0x0005, { id: 0x0005, name: 'AES_256_GCM_SHA512_128', hash: 'SHA-512', aead: 'AES-GCM', Nh: 64, Nka: 0, Nk: 32, Nn: 12, Nt: 16 }],
]);

/** True when `id` names a suite this library implements. */
export function isCipherSuiteId(id: number): id is CipherSuiteId {
  return SUITES.has(id);
}

/** The constants of a suite; throws `unsupported-cipher-suite` for any other identifier. */
export function cipherSuiteParams(id: number): CipherSuiteParams {
  const params = SUITES.get(id);
  if (params === undefined) {
    throw new SFrameError('unsupported-cipher-suite', `cipher suite 0x${id.toString(16).padStart(4, '0')} is not implemented (RFC 9605 suites 0x0001–0x0005 are)`);
  }
  return params;
}
