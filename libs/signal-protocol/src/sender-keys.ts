import { utf8 } from '@parley/bytes';
import { type ProtocolAddress } from './address.js';
import { aes256CbcDecrypt, aes256CbcEncrypt } from './aes.js';
import { randomBytes, randomUint32, redactWhenPrinted } from './bytes.js';
import { SignalProtocolError } from './errors.js';
import { hkdfSha256, hmacSha256 } from './kdf.js';
import { EcKeyPair, EcPrivateKey } from './keys.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';
import { EcPublicKey } from './public-keys.js';
import { MAX_FORWARD_JUMPS, MAX_MESSAGE_KEYS } from './ratchet.js';
import type { SenderKeyStore } from './store.js';
import {
  type CiphertextMessage,
  CiphertextMessageType,
  decodeSenderKeyDistributionMessage,
  decodeSenderKeyMessage,
  encodeSenderKeyDistributionMessage,
  encodeSenderKeyMessage,
  SENDERKEY_MESSAGE_CURRENT_VERSION,
  type SenderKeyDistributionMessage,
} from './wire.js';
import { calculateSignature, verifySignatureAsync } from './xeddsa.js';

// Sender keys for groups, as libsignal does them: each member has a symmetric chain per
// distribution id, hands its chain key and a signing key to every other member once (in a
// SenderKeyDistributionMessage over 1:1 sessions), then encrypts each group message once and signs it.
// Records use libsignal's `SenderKeyRecordStructure`.

/** Sender key states kept per (sender, distribution id) (libsignal `MAX_SENDER_KEY_STATES`). */
export const MAX_SENDER_KEY_STATES = 5;

const WHISPER_GROUP = utf8('WhisperGroup');
const MESSAGE_KEY_SEED = new Uint8Array([0x01]);
const CHAIN_KEY_SEED = new Uint8Array([0x02]);

interface SenderChainKey {
  readonly iteration: number;
  readonly seed: Uint8Array;
}

interface SenderMessageKey {
  readonly iteration: number;
  readonly seed: Uint8Array;
}

function nextSenderChainKey(chainKey: SenderChainKey): SenderChainKey {
  if (chainKey.iteration >= 0xffffffff) throw new SignalProtocolError('invalid-state', 'sender chain is too long');
  return { iteration: chainKey.iteration + 1, seed: hmacSha256(chainKey.seed, CHAIN_KEY_SEED) };
}

function senderMessageKey(chainKey: SenderChainKey): SenderMessageKey {
  return { iteration: chainKey.iteration, seed: hmacSha256(chainKey.seed, MESSAGE_KEY_SEED) };
}

/** HKDF(seed, "WhisperGroup", 48) → IV 16 ‖ cipher key 32. */
function expandMessageKey(key: SenderMessageKey): { iv: Uint8Array; cipherKey: Uint8Array } {
  const okm = hkdfSha256(key.seed, undefined, WHISPER_GROUP, 48);
  return { iv: okm.subarray(0, 16), cipherKey: okm.subarray(16, 48) };
}

/** One sender chain of one group member. */
export class SenderKeyState {
  constructor(
    readonly messageVersion: number,
    readonly chainId: number,
    public chainKey: SenderChainKey,
    readonly signingKey: EcPublicKey,
    readonly signingPrivateKey: EcPrivateKey | undefined,
    /** Skipped keys, oldest first. */
    public messageKeys: SenderMessageKey[] = [],
  ) {}

  serialize(): Uint8Array {
    const w = new ProtoWriter()
      .uint32IfNonZero(1, this.chainId)
      .bytes(2, new ProtoWriter().uint32IfNonZero(1, this.chainKey.iteration).bytesIfNonEmpty(2, this.chainKey.seed).finish())
      .bytes(3, new ProtoWriter().bytes(1, this.signingKey.serialize()).bytesIfNonEmpty(2, this.signingPrivateKey?.serialize()).finish());
    for (const k of this.messageKeys) w.bytes(4, new ProtoWriter().uint32IfNonZero(1, k.iteration).bytesIfNonEmpty(2, k.seed).finish());
    return w.uint32IfNonZero(5, this.messageVersion).finish();
  }

  static deserialize(bytes: Uint8Array): SenderKeyState {
    const r = ProtoReader.decode(bytes);
    const chain = ProtoReader.decode(r.requiredBytes(2, 'sender chain key'));
    const signing = ProtoReader.decode(r.requiredBytes(3, 'sender signing key'));
    const priv = signing.bytes(2);
    const version = r.uint32(5) ?? 0;
    return new SenderKeyState(
      version === 0 ? SENDERKEY_MESSAGE_CURRENT_VERSION : version,
      r.uint32(1) ?? 0,
      { iteration: chain.uint32(1) ?? 0, seed: (chain.bytes(2) ?? new Uint8Array()).slice() },
      EcPublicKey.deserialize(signing.requiredBytes(1, 'signing public key')),
      priv === undefined || priv.length === 0 ? undefined : EcPrivateKey.deserialize(priv),
      r.repeatedBytes(4).map((b) => {
        const m = ProtoReader.decode(b);
        return { iteration: m.uint32(1) ?? 0, seed: (m.bytes(2) ?? new Uint8Array()).slice() };
      }),
    );
  }
}

/** All sender chains known for one (sender, distribution id), newest first. */
export class SenderKeyRecord {
  constructor(public states: SenderKeyState[] = []) {}

  stateForChainId(chainId: number): SenderKeyState | undefined {
    return this.states.find((s) => s.chainId === chainId);
  }

  /** As libsignal: a known (chain id, key) pair keeps its progress; others with that chain id go. */
  addState(state: SenderKeyState): void {
    const existing = this.states.find((s) => s.chainId === state.chainId && s.signingKey.equals(state.signingKey));
    this.states = this.states.filter((s) => s.chainId !== state.chainId);
    while (this.states.length >= MAX_SENDER_KEY_STATES) this.states.pop();
    this.states.unshift(existing ?? state);
  }

  serialize(): Uint8Array {
    const w = new ProtoWriter();
    for (const s of this.states) w.bytes(1, s.serialize());
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): SenderKeyRecord {
    return new SenderKeyRecord(ProtoReader.decode(bytes).repeatedBytes(1).map((b) => SenderKeyState.deserialize(b)));
  }
}

/**
 * Our distribution message for `distributionId`, creating our sender chain on first use
 * (random 31-bit chain id, random chain key, fresh signing key).
 */
export async function createSenderKeyDistributionMessage(
  store: SenderKeyStore,
  sender: ProtocolAddress,
  distributionId: string,
): Promise<SenderKeyDistributionMessage> {
  let record = await store.loadSenderKey(sender, distributionId);
  if (record === undefined || record.states.length === 0) {
    const signing = await EcKeyPair.generate();
    record = new SenderKeyRecord();
    record.addState(
      new SenderKeyState(SENDERKEY_MESSAGE_CURRENT_VERSION, randomUint32() >>> 1, { iteration: 0, seed: randomBytes(32) }, signing.publicKey, signing.privateKey),
    );
    await store.storeSenderKey(sender, distributionId, record);
  }
  const state = record.states[0]!;
  return encodeSenderKeyDistributionMessage({
    version: state.messageVersion,
    distributionId,
    chainId: state.chainId,
    iteration: state.chainKey.iteration,
    chainKey: state.chainKey.seed,
    signingKey: state.signingKey,
  });
}

/** Stores a member's distribution message so its group messages can be read. */
export async function processSenderKeyDistributionMessage(
  store: SenderKeyStore,
  sender: ProtocolAddress,
  message: Uint8Array | SenderKeyDistributionMessage,
): Promise<void> {
  const skdm = message instanceof Uint8Array ? decodeSenderKeyDistributionMessage(message) : message;
  const record = (await store.loadSenderKey(sender, skdm.distributionId)) ?? new SenderKeyRecord();
  record.addState(new SenderKeyState(skdm.version, skdm.chainId, { iteration: skdm.iteration, seed: skdm.chainKey.slice() }, skdm.signingKey, undefined));
  await store.storeSenderKey(sender, skdm.distributionId, record);
}

/** Encrypts one group message with our sender chain (created by {@link createSenderKeyDistributionMessage}). */
export async function groupEncrypt(store: SenderKeyStore, sender: ProtocolAddress, distributionId: string, plaintext: Uint8Array): Promise<CiphertextMessage> {
  const record = await store.loadSenderKey(sender, distributionId);
  const state = record?.states[0];
  if (record === undefined || state === undefined) throw new SignalProtocolError('no-sender-key-state', `no sender key state for distribution ${distributionId}`);
  const signingKey = state.signingPrivateKey;
  if (signingKey === undefined) throw new SignalProtocolError('invalid-state', `sender key for distribution ${distributionId} has no signing key (not ours)`);
  const messageKey = senderMessageKey(state.chainKey);
  const { iv, cipherKey } = expandMessageKey(messageKey);
  const ciphertext = await aes256CbcEncrypt(cipherKey, iv, plaintext);
  const message = encodeSenderKeyMessage(
    { version: state.messageVersion, distributionId, chainId: state.chainId, iteration: messageKey.iteration, ciphertext },
    (content) => calculateSignature(signingKey, content),
  );
  state.chainKey = nextSenderChainKey(state.chainKey);
  await store.storeSenderKey(sender, distributionId, record);
  return { type: CiphertextMessageType.SenderKey, serialized: message.serialized };
}

function takeSenderKey(state: SenderKeyState, iteration: number, distributionId: string): SenderMessageKey {
  const current = state.chainKey.iteration;
  if (current > iteration) {
    const index = state.messageKeys.findIndex((k) => k.iteration === iteration);
    if (index < 0) {
      throw new SignalProtocolError('duplicate-message', `group message with old iteration ${iteration} (chain is at ${current}) in distribution ${distributionId}`);
    }
    return state.messageKeys.splice(index, 1)[0]!;
  }
  if (iteration - current > MAX_FORWARD_JUMPS) {
    throw new SignalProtocolError('invalid-message', `group message from too far into the future (iteration ${iteration}, chain at ${current})`);
  }
  let chainKey = state.chainKey;
  while (chainKey.iteration < iteration) {
    state.messageKeys.push(senderMessageKey(chainKey));
    if (state.messageKeys.length > MAX_MESSAGE_KEYS) state.messageKeys.shift();
    chainKey = nextSenderChainKey(chainKey);
  }
  state.chainKey = nextSenderChainKey(chainKey);
  return senderMessageKey(chainKey);
}

/** Verifies and decrypts a group message from `sender`. */
export async function groupDecrypt(store: SenderKeyStore, sender: ProtocolAddress, serialized: Uint8Array): Promise<Uint8Array> {
  const message = decodeSenderKeyMessage(serialized);
  const record = await store.loadSenderKey(sender, message.distributionId);
  if (record === undefined) throw new SignalProtocolError('no-sender-key-state', `no sender key state for distribution ${message.distributionId}`);
  const state = record.stateForChainId(message.chainId);
  if (state === undefined) {
    throw new SignalProtocolError('no-sender-key-state', `no sender key state for chain ${message.chainId} of distribution ${message.distributionId}`);
  }
  if (message.version !== state.messageVersion) throw new SignalProtocolError('unrecognized-version', `group message version ${message.version}`);
  const content = serialized.subarray(0, serialized.length - 64);
  if (!(await verifySignatureAsync(state.signingKey, content, serialized.subarray(serialized.length - 64)))) {
    throw new SignalProtocolError('invalid-signature', 'group message signature does not verify');
  }
  const key = takeSenderKey(state, message.iteration, message.distributionId);
  const { iv, cipherKey } = expandMessageKey(key);
  const plaintext = await aes256CbcDecrypt(cipherKey, iv, message.ciphertext);
  await store.storeSenderKey(sender, message.distributionId, record);
  return plaintext;
}

redactWhenPrinted(SenderKeyState, 'redacted sender key state');
redactWhenPrinted(SenderKeyRecord, 'redacted sender key record');
