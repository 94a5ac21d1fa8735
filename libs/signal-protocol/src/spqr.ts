import { concatBytes, utf8 } from '@parley/bytes';
import { uint32BE, redactWhenPrinted } from './bytes.js';
import { SignalProtocolError } from './errors.js';
import { hkdfSha256 } from './kdf.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';

// SPQR compatibility, epoch 0 only.
//
// libsignal ≥ 0.92 runs a Sparse Post-Quantum Ratchet (SPQR) next to the Double Ratchet and salts
// every message key with an SPQR key. SPQR's keys come from a symmetric chain per direction, seeded
// from the PQXDH output and re-seeded each time the two sides finish an ML-KEM-768 exchange
// (an "epoch"), whose pieces ride along in the `pq_ratchet` field of each message.
//
// This module implements the chain of epoch 0 and never starts an exchange: every message we send
// carries an SPQR V1 message of type None for epoch 1 (keys of epoch 0), which libsignal accepts
// while it waits; the chunks libsignal sends are read for their epoch and index only. Sessions thus
// interoperate with libsignal and get the PQXDH-seeded salt, but no post-quantum epoch ever starts:
// no post-quantum post-compromise healing. README.md ("SPQR") lists the differences.

/** SPQR V1 chain limits (libsignal passes MAX_FORWARD_JUMPS and MAX_MESSAGE_KEYS to SPQR). */
export const SPQR_MAX_JUMP = 25_000;
export const SPQR_MAX_OUT_OF_ORDER_KEYS = 2_000;
const TRIM_SIZE = Math.floor((SPQR_MAX_OUT_OF_ORDER_KEYS * 11) / 10) + 1;

const SPQR_VERSION_V1 = 1;
const CHAIN_START = utf8('Signal PQ Ratchet V1 Chain  Start');
const CHAIN_NEXT = utf8('Signal PQ Ratchet V1 Chain Next');
const ZERO_SALT = new Uint8Array(32);

/** Which way a chain runs: A is the session initiator. */
export type SpqrDirection = 'A2B' | 'B2A';

interface HistoryEntry {
  readonly index: number;
  readonly key: Uint8Array;
}

const spqrError = (message: string): SignalProtocolError => new SignalProtocolError('invalid-message', `post-quantum ratchet: ${message}`);
// A reused SPQR index means this chain already produced that key: for this session the message is
// a replay. (Another session of the same address may still own it; session-cipher.ts decides.)
const spqrReplay = (message: string): SignalProtocolError => new SignalProtocolError('duplicate-message', `post-quantum ratchet: ${message}`);

function advance(next: Uint8Array, ctr: number): { next: Uint8Array; ctr: number; key: Uint8Array } {
  const newCtr = ctr + 1;
  const okm = hkdfSha256(next, ZERO_SALT, concatBytes(uint32BE(newCtr), CHAIN_NEXT), 64);
  return { next: okm.subarray(0, 32), ctr: newCtr, key: okm.subarray(32, 64) };
}

/** Epoch-0 SPQR chains of one session (send and receive), with SPQR's out-of-order key history. */
export class SpqrChain {
  private constructor(
    readonly direction: SpqrDirection,
    private sendCtr: number,
    private sendNext: Uint8Array,
    private recvCtr: number,
    private recvNext: Uint8Array,
    private history: HistoryEntry[],
  ) {}

  /** The chains SPQR derives from the PQXDH `pqr` key (its auth key). */
  static initial(authKey: Uint8Array, direction: SpqrDirection): SpqrChain {
    const okm = hkdfSha256(authKey, ZERO_SALT, CHAIN_START, 96);
    const a2b = okm.slice(32, 64);
    const b2a = okm.slice(64, 96);
    return direction === 'A2B' ? new SpqrChain(direction, 0, a2b, 0, b2a, []) : new SpqrChain(direction, 0, b2a, 0, a2b, []);
  }

  clone(): SpqrChain {
    return new SpqrChain(this.direction, this.sendCtr, this.sendNext, this.recvCtr, this.recvNext, [...this.history]);
  }

  /** The next sending key and the `pq_ratchet` field that announces it. */
  send(): { key: Uint8Array; message: Uint8Array } {
    const step = advance(this.sendNext, this.sendCtr);
    this.sendNext = step.next;
    this.sendCtr = step.ctr;
    return { key: step.key, message: encodeSpqrMessage(step.ctr) };
  }

  /** The key for a received `pq_ratchet` field; undefined where SPQR yields none (index 0). */
  receive(pqRatchet: Uint8Array): Uint8Array | undefined {
    const { index } = parseSpqrMessage(pqRatchet);
    if (index === 0) return undefined;
    return this.receiveKey(index);
  }

  private receiveKey(at: number): Uint8Array {
    if (at < this.recvCtr) {
      if (at + SPQR_MAX_OUT_OF_ORDER_KEYS < this.recvCtr) throw spqrReplay(`key ${at} was trimmed (chain is at ${this.recvCtr})`);
      const position = this.history.findIndex((entry) => entry.index === at);
      if (position < 0) throw spqrReplay(`key ${at} already requested`);
      const [entry] = this.history.splice(position, 1);
      return entry!.key;
    }
    if (at === this.recvCtr) throw spqrReplay(`key ${at} already requested`);
    if (at - this.recvCtr > SPQR_MAX_JUMP) throw spqrError(`key jump from ${this.recvCtr} to ${at}`);
    if (at > this.recvCtr + SPQR_MAX_OUT_OF_ORDER_KEYS) this.history = [];
    while (at > this.recvCtr + 1) {
      const step = advance(this.recvNext, this.recvCtr);
      this.recvNext = step.next;
      this.recvCtr = step.ctr;
      if (this.recvCtr + SPQR_MAX_OUT_OF_ORDER_KEYS >= at) this.history.push({ index: step.ctr, key: step.key });
    }
    if (this.history.length >= TRIM_SIZE) {
      const horizon = this.recvCtr - SPQR_MAX_OUT_OF_ORDER_KEYS;
      this.history = this.history.filter((entry) => entry.index >= horizon);
    }
    const step = advance(this.recvNext, this.recvCtr);
    this.recvNext = step.next;
    this.recvCtr = step.ctr;
    return step.key;
  }

  /** Stored form (this library's own; libsignal keeps a full SPQR state here). */
  serialize(): Uint8Array {
    const history = new Uint8Array(this.history.length * 36);
    this.history.forEach((entry, i) => {
      history.set(uint32BE(entry.index), i * 36);
      history.set(entry.key, i * 36 + 4);
    });
    return new ProtoWriter()
      .uint32(1, this.direction === 'A2B' ? 0 : 1)
      .uint32(2, this.sendCtr)
      .bytes(3, this.sendNext)
      .uint32(4, this.recvCtr)
      .bytes(5, this.recvNext)
      .bytesIfNonEmpty(6, history)
      .finish();
  }

  static deserialize(bytes: Uint8Array): SpqrChain {
    const r = ProtoReader.decode(bytes);
    const history = r.bytes(6) ?? new Uint8Array();
    if (history.length % 36 !== 0) throw new SignalProtocolError('invalid-state', 'corrupt post-quantum ratchet history');
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < history.length; i += 36) {
      const view = new DataView(history.buffer, history.byteOffset + i, 4);
      entries.push({ index: view.getUint32(0), key: history.slice(i + 4, i + 36) });
    }
    const sendNext = r.requiredBytes(3, 'SPQR send chain');
    const recvNext = r.requiredBytes(5, 'SPQR receive chain');
    if (sendNext.length !== 32 || recvNext.length !== 32) throw new SignalProtocolError('invalid-state', 'corrupt post-quantum ratchet chain');
    return new SpqrChain(r.uint32(1) === 1 ? 'B2A' : 'A2B', r.uint32(2) ?? 0, sendNext.slice(), r.uint32(4) ?? 0, recvNext.slice(), entries);
  }
}

function pushVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** SPQR V1 message: version 1, epoch 1, `index`, payload None. */
export function encodeSpqrMessage(index: number): Uint8Array {
  const out = [SPQR_VERSION_V1];
  pushVarint(out, 1);
  pushVarint(out, index);
  out.push(0);
  return Uint8Array.from(out);
}

/** The parts of an SPQR message this library uses. */
export interface SpqrMessageHeader {
  readonly epoch: number;
  readonly index: number;
  readonly payloadType: number;
}

const CHUNK_PAYLOADS = new Set([1, 2, 3, 5, 6]);

/**
 * Parses and validates an SPQR V1 message header (as SPQR does: chunk payloads must be complete).
 * Only epoch 1 — keys of epoch 0 — is accepted: later epochs need the KEM exchange this library
 * does not run. An empty field means a peer without SPQR, which libsignal 0.103 rejects too.
 */
export function parseSpqrMessage(bytes: Uint8Array): SpqrMessageHeader {
  if (bytes.length === 0) throw spqrError('message carries no SPQR data (required since libsignal 0.92)');
  if (bytes[0] !== SPQR_VERSION_V1) throw spqrError(`unsupported SPQR version ${bytes[0]}`);
  let pos = 1;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw spqrError('truncated message');
      const byte = bytes[pos++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw spqrError('varint too long');
  };
  const epoch = varint();
  const index = varint();
  if (epoch === 0) throw spqrError('epoch 0 is invalid');
  if (index > 0xffffffff) throw spqrError('index out of range');
  if (pos >= bytes.length) throw spqrError('missing payload type');
  const payloadType = bytes[pos++]!;
  if (payloadType > 6) throw spqrError(`unknown payload type ${payloadType}`);
  if (CHUNK_PAYLOADS.has(payloadType)) {
    const chunkIndex = varint();
    if (chunkIndex > 65535 || pos + 32 > bytes.length) throw spqrError('truncated chunk');
  }
  if (epoch !== 1) throw spqrError(`epoch ${epoch} needs SPQR's ML-KEM exchange, which is not implemented`);
  return { epoch, index, payloadType };
}

redactWhenPrinted(SpqrChain, 'redacted SPQR chain');
