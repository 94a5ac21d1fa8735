import { constantTimeEqual } from '@parley/bytes';
import { redactWhenPrinted } from './bytes.js';
import { SignalProtocolError } from './errors.js';
import { EcKeyPair, EcPrivateKey } from './keys.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';
import { EcPublicKey } from './public-keys.js';
import { type ChainKey, MAX_RECEIVER_CHAINS } from './ratchet.js';
import { SpqrChain } from './spqr.js';

// Session state in libsignal's storage layout (storage.proto `SessionStructure`, fields 1–14), so
// the Double Ratchet part of a record reads the same in both libraries. Field 15 (libsignal's SPQR
// state) stays empty; this library's epoch-0 SPQR chain lives in field 64.

/** Archived sessions kept per address (libsignal `ARCHIVED_STATES_MAX_LENGTH`). */
export const ARCHIVED_STATES_MAX_LENGTH = 40;
/** An unacknowledged session older than this is stale (libsignal `MAX_UNACKNOWLEDGED_SESSION_AGE`). */
export const MAX_UNACKNOWLEDGED_SESSION_AGE_MS = 30 * 24 * 60 * 60 * 1000;

const SPQR_FIELD = 64;

/** A skipped message's key seed, kept until the late message arrives. */
export interface SkippedMessageKey {
  readonly index: number;
  readonly seed: Uint8Array;
}

/** A receiving chain: the peer's ratchet key, its chain key, and skipped keys (newest first). */
export interface ReceiverChain {
  readonly ratchetKey: EcPublicKey;
  chainKey: ChainKey;
  messageKeys: SkippedMessageKey[];
}

/** Our sending chain. */
export interface SenderChain {
  readonly ratchetKeyPair: EcKeyPair;
  chainKey: ChainKey;
}

/** Set by the initiator until the peer answers: the PreKeySignalMessage parameters to repeat. */
export interface PendingPreKey {
  readonly preKeyId: number | undefined;
  readonly signedPreKeyId: number;
  readonly baseKey: EcPublicKey;
  /** Seconds since 1970, as libsignal stores it. */
  readonly timestamp: number;
  readonly kyberPreKeyId: number;
  readonly kyberCiphertext: Uint8Array;
}

/** One Double Ratchet session with one device. */
export class SessionState {
  constructor(
    public version: number,
    public localIdentityKey: EcPublicKey,
    public remoteIdentityKey: EcPublicKey,
    public rootKey: Uint8Array,
    public previousCounter: number,
    public senderChain: SenderChain | undefined,
    /** Oldest first; at most {@link MAX_RECEIVER_CHAINS}. */
    public receiverChains: ReceiverChain[],
    public pendingPreKey: PendingPreKey | undefined,
    public localRegistrationId: number,
    public remoteRegistrationId: number,
    /** The initiator's base key (33 bytes): identifies the session across both devices. */
    public aliceBaseKey: Uint8Array,
    public spqr: SpqrChain,
  ) {}

  /** A deep-enough copy: decryption works on a copy and commits only on success. */
  clone(): SessionState {
    return new SessionState(
      this.version,
      this.localIdentityKey,
      this.remoteIdentityKey,
      this.rootKey,
      this.previousCounter,
      this.senderChain && { ratchetKeyPair: this.senderChain.ratchetKeyPair, chainKey: this.senderChain.chainKey },
      this.receiverChains.map((c) => ({ ratchetKey: c.ratchetKey, chainKey: c.chainKey, messageKeys: [...c.messageKeys] })),
      this.pendingPreKey,
      this.localRegistrationId,
      this.remoteRegistrationId,
      this.aliceBaseKey,
      this.spqr.clone(),
    );
  }

  /** The receiving chain for `ratchetKey`, if we have one. */
  receiverChain(ratchetKey: EcPublicKey): ReceiverChain | undefined {
    return this.receiverChains.find((c) => c.ratchetKey.equals(ratchetKey));
  }

  /** Adds a receiving chain, dropping the oldest beyond the limit. */
  addReceiverChain(ratchetKey: EcPublicKey, chainKey: ChainKey): ReceiverChain {
    const chain: ReceiverChain = { ratchetKey, chainKey, messageKeys: [] };
    this.receiverChains.push(chain);
    while (this.receiverChains.length > MAX_RECEIVER_CHAINS) this.receiverChains.shift();
    return chain;
  }

  /** Whether this session can send now (has a sender chain and is not a stale unacknowledged one). */
  hasUsableSenderChain(nowMs: number): boolean {
    if (this.senderChain === undefined) return false;
    return this.pendingPreKey === undefined || this.pendingPreKey.timestamp * 1000 + MAX_UNACKNOWLEDGED_SESSION_AGE_MS >= nowMs;
  }

  /** libsignal `SessionStructure` bytes (plus field 64). */
  serialize(): Uint8Array {
    const w = new ProtoWriter()
      .uint32IfNonZero(1, this.version)
      .bytesIfNonEmpty(2, this.localIdentityKey.serialize())
      .bytesIfNonEmpty(3, this.remoteIdentityKey.serialize())
      .bytesIfNonEmpty(4, this.rootKey)
      .uint32IfNonZero(5, this.previousCounter);
    if (this.senderChain !== undefined) {
      w.bytes(
        6,
        encodeChain(this.senderChain.ratchetKeyPair.publicKey, this.senderChain.ratchetKeyPair.privateKey, this.senderChain.chainKey, []),
      );
    }
    for (const chain of this.receiverChains) w.bytes(7, encodeChain(chain.ratchetKey, undefined, chain.chainKey, chain.messageKeys));
    const pending = this.pendingPreKey;
    if (pending !== undefined) {
      const p = new ProtoWriter();
      if (pending.preKeyId !== undefined) p.uint32(1, pending.preKeyId);
      p.bytes(2, pending.baseKey.serialize());
      if (pending.signedPreKeyId !== 0) p.uint64(3, BigInt.asUintN(64, BigInt(pending.signedPreKeyId | 0)));
      p.uint64IfNonZero(4, pending.timestamp);
      w.bytes(9, p.finish());
    }
    w.uint32IfNonZero(10, this.remoteRegistrationId).uint32IfNonZero(11, this.localRegistrationId).bytesIfNonEmpty(13, this.aliceBaseKey);
    if (pending !== undefined) {
      w.bytes(14, new ProtoWriter().uint32IfNonZero(1, pending.kyberPreKeyId).bytesIfNonEmpty(2, pending.kyberCiphertext).finish());
    }
    w.bytes(SPQR_FIELD, this.spqr.serialize());
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): SessionState {
    const r = ProtoReader.decode(bytes);
    const spqr = r.bytes(SPQR_FIELD);
    if (spqr === undefined) {
      throw new SignalProtocolError('invalid-state', 'session has no epoch-0 SPQR chain (not written by this library)');
    }
    const sender = r.bytes(6);
    let senderChain: SenderChain | undefined;
    if (sender !== undefined) {
      const c = decodeChain(sender);
      if (c.privateKey === undefined) throw new SignalProtocolError('invalid-state', 'sender chain without private key');
      senderChain = { ratchetKeyPair: EcKeyPair.fromKeys(c.ratchetKey, c.privateKey), chainKey: c.chainKey };
    }
    const receiverChains = r.repeatedBytes(7).map((b): ReceiverChain => {
      const c = decodeChain(b);
      return { ratchetKey: c.ratchetKey, chainKey: c.chainKey, messageKeys: c.messageKeys };
    });
    let pendingPreKey: PendingPreKey | undefined;
    const pending = r.bytes(9);
    if (pending !== undefined) {
      const p = ProtoReader.decode(pending);
      const kyber = ProtoReader.decode(r.bytes(14) ?? new Uint8Array());
      pendingPreKey = {
        preKeyId: p.uint32(1),
        baseKey: EcPublicKey.deserialize(p.requiredBytes(2, 'pending base key')),
        signedPreKeyId: p.uint32(3) ?? 0,
        timestamp: Number(p.uint64(4) ?? 0n),
        kyberPreKeyId: kyber.uint32(1) ?? 0,
        kyberCiphertext: kyber.bytes(2) ?? new Uint8Array(),
      };
    }
    return new SessionState(
      r.uint32(1) ?? 0,
      EcPublicKey.deserialize(r.requiredBytes(2, 'local identity')),
      EcPublicKey.deserialize(r.requiredBytes(3, 'remote identity')),
      r.requiredBytes(4, 'root key').slice(),
      r.uint32(5) ?? 0,
      senderChain,
      receiverChains,
      pendingPreKey,
      r.uint32(11) ?? 0,
      r.uint32(10) ?? 0,
      (r.bytes(13) ?? new Uint8Array()).slice(),
      SpqrChain.deserialize(spqr),
    );
  }
}

function encodeChain(ratchetKey: EcPublicKey, privateKey: EcPrivateKey | undefined, chainKey: ChainKey, keys: SkippedMessageKey[]): Uint8Array {
  const w = new ProtoWriter().bytes(1, ratchetKey.serialize());
  if (privateKey !== undefined) w.bytes(2, privateKey.serialize());
  w.bytes(3, new ProtoWriter().uint32IfNonZero(1, chainKey.index).bytesIfNonEmpty(2, chainKey.key).finish());
  for (const k of keys) w.bytes(4, new ProtoWriter().uint32IfNonZero(1, k.index).bytes(5, k.seed).finish());
  return w.finish();
}

// Records can hold thousands of skipped keys and are parsed on every message: read the two-field
// `MessageKey` (index = 1, seed = 5) directly, falling back to the general decoder otherwise.
function decodeSkippedKey(b: Uint8Array): SkippedMessageKey {
  let index = 0;
  let pos = 0;
  if (b[0] === 0x08) {
    let shift = 0;
    pos = 1;
    for (;;) {
      const byte = b[pos++];
      if (byte === undefined || shift > 28) return decodeSkippedKeySlow(b);
      index += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) break;
    }
  }
  if (b.length === pos + 34 && b[pos] === 0x2a && b[pos + 1] === 32 && index <= 0xffffffff) return { index, seed: b.slice(pos + 2) };
  return decodeSkippedKeySlow(b);
}

function decodeSkippedKeySlow(b: Uint8Array): SkippedMessageKey {
  const m = ProtoReader.decode(b);
  const seed = m.bytes(5);
  if (seed === undefined || seed.length !== 32) {
    throw new SignalProtocolError('invalid-state', 'skipped message key without seed (pre-0.92 libsignal form is not supported)');
  }
  return { index: m.uint32(1) ?? 0, seed: seed.slice() };
}

function decodeChain(bytes: Uint8Array): { ratchetKey: EcPublicKey; privateKey: EcPrivateKey | undefined; chainKey: ChainKey; messageKeys: SkippedMessageKey[] } {
  const r = ProtoReader.decode(bytes);
  const priv = r.bytes(2);
  const ck = ProtoReader.decode(r.requiredBytes(3, 'chain key'));
  const key = ck.bytes(2);
  if (key === undefined || key.length !== 32) throw new SignalProtocolError('invalid-state', 'invalid chain key');
  return {
    ratchetKey: EcPublicKey.deserialize(r.requiredBytes(1, 'chain ratchet key')),
    privateKey: priv === undefined || priv.length === 0 ? undefined : EcPrivateKey.deserialize(priv),
    chainKey: { key: key.slice(), index: ck.uint32(1) ?? 0 },
    messageKeys: r.repeatedBytes(4).map(decodeSkippedKey),
  };
}

/** An archived session, kept serialized until a message needs it (as libsignal keeps them). */
type ArchivedSession = SessionState | Uint8Array;

/** All sessions with one address: the current one and up to 40 archived ones (newest first). */
export class SessionRecord {
  private archived: ArchivedSession[];

  constructor(
    public current: SessionState | undefined = undefined,
    previous: ArchivedSession[] = [],
  ) {
    this.archived = previous;
  }

  /** Number of archived sessions. */
  get previousCount(): number {
    return this.archived.length;
  }

  /** Archived session `index` (0 = most recently archived), parsed on first use. */
  previousAt(index: number): SessionState {
    const entry = this.archived[index];
    if (entry === undefined) throw new RangeError(`no archived session ${index}`);
    if (entry instanceof SessionState) return entry;
    const state = SessionState.deserialize(entry);
    this.archived[index] = state;
    return state;
  }

  /** All archived sessions, parsed (newest first). */
  get previous(): readonly SessionState[] {
    return this.archived.map((_, i) => this.previousAt(i));
  }

  /** Removes archived session `index` from the archive and makes `state` (its updated copy) current. */
  promotePrevious(index: number, state: SessionState): void {
    this.archived.splice(index, 1);
    this.promoteState(state);
  }

  /** Moves the current session to the archive (as on an identity change or a reset). */
  archiveCurrentState(): void {
    if (this.current === undefined) return;
    const archived = this.current;
    archived.pendingPreKey = undefined;
    this.archived.unshift(archived);
    if (this.archived.length > ARCHIVED_STATES_MAX_LENGTH) this.archived.length = ARCHIVED_STATES_MAX_LENGTH;
    this.current = undefined;
  }

  /** Makes `state` current, archiving the one it replaces. */
  promoteState(state: SessionState): void {
    this.archiveCurrentState();
    this.current = state;
  }

  /** The session a PreKeySignalMessage with this base key already created, promoted if archived. */
  promoteMatchingSession(version: number, aliceBaseKey: Uint8Array): boolean {
    if (this.current !== undefined && this.current.version === version && constantTimeEqual(this.current.aliceBaseKey, aliceBaseKey)) return true;
    const index = this.archived.findIndex((entry) => {
      // Peek at version and base key without building the whole state.
      const [v, base] = entry instanceof SessionState ? [entry.version, entry.aliceBaseKey] : peekIdentity(entry);
      return v === version && constantTimeEqual(base, aliceBaseKey);
    });
    if (index < 0) return false;
    this.promotePrevious(index, this.previousAt(index));
    return true;
  }

  /** libsignal `RecordStructure` bytes (archived sessions never parsed are copied as they are). */
  serialize(): Uint8Array {
    const w = new ProtoWriter();
    if (this.current !== undefined) w.bytes(1, this.current.serialize());
    for (const entry of this.archived) w.bytes(2, entry instanceof SessionState ? entry.serialize() : entry);
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): SessionRecord {
    const r = ProtoReader.decode(bytes);
    const current = r.bytes(1);
    return new SessionRecord(current === undefined ? undefined : SessionState.deserialize(current), r.repeatedBytes(2));
  }
}

function peekIdentity(bytes: Uint8Array): [number, Uint8Array] {
  const r = ProtoReader.decode(bytes);
  return [r.uint32(1) ?? 0, r.bytes(13) ?? new Uint8Array()];
}

redactWhenPrinted(SessionState, 'redacted session state');
redactWhenPrinted(SessionRecord, 'redacted session record');
