import { ProtoReader } from '../protobuf.js';

/** One chain of libsignal's `SessionStructure` (test-side decoding of the oracle's record). */
export interface OracleChain {
  ratchetKey: Uint8Array;
  ratchetPrivateKey: Uint8Array | undefined;
  chainKey: Uint8Array;
  chainIndex: number;
  skippedIndexes: number[];
}

/** The fields of libsignal's current session state that tests compare with ours. */
export interface OracleSessionState {
  version: number;
  localIdentity: Uint8Array;
  remoteIdentity: Uint8Array;
  rootKey: Uint8Array;
  previousCounter: number;
  senderChain: OracleChain | undefined;
  receiverChains: OracleChain[];
  aliceBaseKey: Uint8Array | undefined;
  /** SPQR `VersionNegotiation.auth_key`, while libsignal has not yet heard SPQR from the peer. */
  pqAuthKey: Uint8Array | undefined;
  previousSessions: number;
}

function chain(bytes: Uint8Array): OracleChain {
  const r = ProtoReader.decode(bytes);
  const ck = ProtoReader.decode(r.bytes(3) ?? new Uint8Array());
  return {
    ratchetKey: r.bytes(1) ?? new Uint8Array(),
    ratchetPrivateKey: r.bytes(2),
    chainKey: ck.bytes(2) ?? new Uint8Array(),
    chainIndex: ck.uint32(1) ?? 0,
    skippedIndexes: r.repeatedBytes(4).map((m) => ProtoReader.decode(m).uint32(1) ?? 0),
  };
}

/** Decodes a serialized libsignal `RecordStructure` (its `SessionRecord.serialize()`). */
export function decodeOracleSessionRecord(record: Uint8Array): OracleSessionState {
  const rec = ProtoReader.decode(record);
  const s = ProtoReader.decode(rec.requiredBytes(1, 'current session'));
  const pq = s.bytes(15);
  const negotiation = pq === undefined ? undefined : ProtoReader.decode(pq).bytes(1);
  const sender = s.bytes(6);
  return {
    version: s.uint32(1) ?? 0,
    localIdentity: s.bytes(2) ?? new Uint8Array(),
    remoteIdentity: s.bytes(3) ?? new Uint8Array(),
    rootKey: s.bytes(4) ?? new Uint8Array(),
    previousCounter: s.uint32(5) ?? 0,
    senderChain: sender === undefined ? undefined : chain(sender),
    receiverChains: s.repeatedBytes(7).map(chain),
    aliceBaseKey: s.bytes(13),
    pqAuthKey: negotiation === undefined ? undefined : ProtoReader.decode(negotiation).bytes(1),
    previousSessions: rec.repeatedBytes(2).length,
  };
}
