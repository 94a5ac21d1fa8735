import { constantTimeEqual } from '@parley/bytes';
import { systemClock, type WallClock } from '@parley/clock';
import { addressKey, encodeMessageAddresses, type ProtocolAddress } from './address.js';
import { aes256CbcDecrypt, aes256CbcEncrypt } from './aes.js';
import { type PreKeyBundle, verifyPreKeyBundle } from './bundle.js';
import { isSignalProtocolError, SignalProtocolError } from './errors.js';
import { EcKeyPair } from './keys.js';
import { pqxdhInitiate, pqxdhRespond } from './pqxdh.js';
import { createChain, deriveMessageKeys, MAX_FORWARD_JUMPS, MAX_MESSAGE_KEYS, messageKeySeed, nextChainKey } from './ratchet.js';
import { type ReceiverChain, SessionRecord, SessionState, type SkippedMessageKey } from './session-state.js';
import { SpqrChain } from './spqr.js';
import type { SignalProtocolStore } from './store.js';
import {
  CIPHERTEXT_MESSAGE_CURRENT_VERSION,
  CIPHERTEXT_MESSAGE_PRE_KYBER_VERSION,
  type CiphertextMessage,
  CiphertextMessageType,
  decodePreKeySignalMessage,
  decodeSignalMessage,
  encodePreKeySignalMessage,
  encodeSignalMessage,
  type SignalMessage,
  verifySignalMessageMac,
} from './wire.js';

// Session setup and the Double Ratchet over a store, following libsignal's session_management:
// decryption works on a copy of a session state and commits only on success, tries the current
// session and then archived ones, and treats a duplicate as final.

// Duplicates found by the SPQR index are specific to one session state: unlike a Double Ratchet
// duplicate (whose ratchet key pins the session) they must not stop the walk over archived states.
const sessionLocalDuplicates = new WeakSet<object>();

// Per (store, address) queue: a load → crypto → store sequence must not interleave with another
// for the same address, or one update would overwrite the other. A decryption leaves the queue once
// its state's write has started, not committed (see `startStoring`): the store answers the record
// being written to the next operation's read and commits that operation's write after this one
// (SessionStore).
const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

function serialized<T>(store: object, address: ProtocolAddress, task: () => Promise<T>): Promise<T> {
  let perStore = queues.get(store);
  if (perStore === undefined) queues.set(store, (perStore = new Map()));
  const key = addressKey(address);
  const previous = perStore.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  perStore.set(key, settled);
  void settled.then(() => {
    if (perStore.get(key) === settled) perStore.delete(key);
  });
  return run;
}

/**
 * Starts a session with `remoteAddress` from its prekey bundle (PQXDH as initiator). The first
 * messages are PreKeySignalMessages until the peer answers.
 */
export async function processPreKeyBundle(
  store: SignalProtocolStore,
  remoteAddress: ProtocolAddress,
  bundle: PreKeyBundle,
  now: WallClock['now'] = systemClock.now,
): Promise<void> {
  return serialized(store, remoteAddress, async () => {
    if (!(await store.isTrustedIdentity(remoteAddress, bundle.identityKey, 'sending'))) {
      throw new SignalProtocolError('untrusted-identity', `untrusted identity for ${addressKey(remoteAddress)}`);
    }
    await verifyPreKeyBundle(bundle);
    const record = (await store.loadSession(remoteAddress)) ?? new SessionRecord();
    const identity = await store.getIdentityKeyPair();
    const [baseKey, sendingRatchet] = await Promise.all([EcKeyPair.generate(), EcKeyPair.generate()]);
    const handshake = await pqxdhInitiate({
      ourIdentity: identity,
      ourBaseKey: baseKey,
      theirIdentity: bundle.identityKey,
      theirSignedPreKey: bundle.signedPreKeyPublic,
      theirOneTimePreKey: bundle.preKeyPublic,
      theirKyberPreKey: bundle.kyberPreKeyPublic,
    });
    const sending = await createChain(handshake.rootKey, bundle.signedPreKeyPublic, sendingRatchet);
    const state = new SessionState(
      CIPHERTEXT_MESSAGE_CURRENT_VERSION,
      identity.publicKey,
      bundle.identityKey,
      sending.rootKey,
      0,
      { ratchetKeyPair: sendingRatchet, chainKey: sending.chainKey },
      [{ ratchetKey: bundle.signedPreKeyPublic, chainKey: handshake.chainKey, messageKeys: [] }],
      {
        preKeyId: bundle.preKeyId,
        signedPreKeyId: bundle.signedPreKeyId,
        baseKey: baseKey.publicKey,
        timestamp: Math.floor(now() / 1000),
        kyberPreKeyId: bundle.kyberPreKeyId,
        kyberCiphertext: handshake.kyberCiphertext,
      },
      await store.getLocalRegistrationId(),
      bundle.registrationId,
      baseKey.publicKey.serialize(),
      SpqrChain.initial(handshake.pqrKey, 'A2B'),
    );
    await store.saveIdentity(remoteAddress, bundle.identityKey);
    record.promoteState(state);
    await store.storeSession(remoteAddress, record);
  });
}

/** Options of one decryption. */
export interface DecryptOptions {
  /**
   * Called with the plaintext once it is decrypted and authentic and its sender's identity trusted,
   * while the advanced session state is being stored: the write is started first, so that it runs
   * while the caller acts on the plaintext, but it may not have finished. For content that can be
   * acted on twice harmlessly: if storing then fails, the message decrypts again when it comes
   * again. Must not throw.
   */
  readonly onPlaintext?: (plaintext: Uint8Array) => void;
}

/** Encrypts and decrypts 1:1 messages between our device and one remote device. */
export class SessionCipher {
  private readonly now: WallClock['now'];

  constructor(
    private readonly store: SignalProtocolStore,
    private readonly localAddress: ProtocolAddress,
    private readonly remoteAddress: ProtocolAddress,
    /** `now` is injectable so tests control session age. */
    options: { now?: WallClock['now'] } = {},
  ) {
    this.now = options.now ?? systemClock.now;
  }

  /** Encrypts with the current session: a PreKeySignalMessage until the peer has answered. */
  encrypt(plaintext: Uint8Array): Promise<CiphertextMessage> {
    return serialized(this.store, this.remoteAddress, async () => {
      const record = await this.store.loadSession(this.remoteAddress);
      const state = record?.current;
      if (record === undefined || state === undefined) {
        throw new SignalProtocolError('session-not-found', `no session for ${addressKey(this.remoteAddress)}`);
      }
      const sender = state.senderChain;
      if (sender === undefined) throw new SignalProtocolError('invalid-state', 'session has no sender chain');
      const pending = state.pendingPreKey;
      if (pending !== undefined && !state.hasUsableSenderChain(this.now())) {
        throw new SignalProtocolError('stale-session', `unacknowledged session for ${addressKey(this.remoteAddress)} is older than 30 days`);
      }
      const chainKey = sender.chainKey;
      const pq = state.spqr.send();
      const keys = deriveMessageKeys(messageKeySeed(chainKey), chainKey.index, pq.key);
      const ciphertext = await aes256CbcEncrypt(keys.cipherKey, keys.iv, plaintext);
      const message = encodeSignalMessage({
        version: state.version,
        ratchetKey: sender.ratchetKeyPair.publicKey,
        counter: chainKey.index,
        previousCounter: state.previousCounter,
        ciphertext,
        pqRatchet: pq.message,
        addresses: pending === undefined ? undefined : encodeMessageAddresses(this.localAddress, this.remoteAddress),
        macKey: keys.macKey,
        senderIdentity: state.localIdentityKey,
        receiverIdentity: state.remoteIdentityKey,
      });
      const out: CiphertextMessage =
        pending === undefined
          ? { type: CiphertextMessageType.Whisper, serialized: message.serialized }
          : {
              type: CiphertextMessageType.PreKey,
              serialized: encodePreKeySignalMessage({
                version: state.version,
                registrationId: state.localRegistrationId,
                preKeyId: pending.preKeyId,
                signedPreKeyId: pending.signedPreKeyId,
                kyberPreKeyId: pending.kyberPreKeyId,
                kyberCiphertext: pending.kyberCiphertext,
                baseKey: pending.baseKey,
                identityKey: state.localIdentityKey,
                message,
              }).serialized,
            };
      if (!(await this.store.isTrustedIdentity(this.remoteAddress, state.remoteIdentityKey, 'sending'))) {
        throw new SignalProtocolError('untrusted-identity', `untrusted identity for ${addressKey(this.remoteAddress)}`);
      }
      await this.store.saveIdentity(this.remoteAddress, state.remoteIdentityKey);
      sender.chainKey = nextChainKey(chainKey);
      await this.store.storeSession(this.remoteAddress, record);
      return out;
    });
  }

  /** Decrypts a message of either session type. */
  decrypt(message: CiphertextMessage, options: DecryptOptions = {}): Promise<Uint8Array> {
    switch (message.type) {
      case CiphertextMessageType.PreKey:
        return this.decryptPreKeySignalMessage(message.serialized, options);
      case CiphertextMessageType.Whisper:
        return this.decryptSignalMessage(message.serialized, options);
      default:
        return Promise.reject(new SignalProtocolError('invalid-argument', `message type ${message.type} is not a session message`));
    }
  }

  /** Decrypts the first message(s) of a session the peer started (PQXDH as responder). */
  decryptPreKeySignalMessage(bytes: Uint8Array, options: DecryptOptions = {}): Promise<Uint8Array> {
    return whenStored(serialized(this.store, this.remoteAddress, async () => {
      const message = decodePreKeySignalMessage(bytes);
      const record = (await this.store.loadSession(this.remoteAddress)) ?? new SessionRecord();
      if (!(await this.store.isTrustedIdentity(this.remoteAddress, message.identityKey, 'receiving'))) {
        throw new SignalProtocolError('untrusted-identity', `untrusted identity for ${addressKey(this.remoteAddress)}`);
      }
      let used: { preKeyId: number | undefined; signedPreKeyId: number; kyberPreKeyId: number } | undefined;
      if (!record.promoteMatchingSession(message.version, message.baseKey.serialize())) {
        if (message.version === CIPHERTEXT_MESSAGE_PRE_KYBER_VERSION) {
          throw new SignalProtocolError('legacy-version', 'X3DH (version 3) sessions are no longer supported');
        }
        const signedPreKey = await this.store.loadSignedPreKey(message.signedPreKeyId);
        if (signedPreKey === undefined) throw new SignalProtocolError('missing-prekey', `no signed prekey with id ${message.signedPreKeyId}`);
        const kyberPreKeyId = message.kyberPreKeyId;
        const kyberCiphertext = message.kyberCiphertext;
        if (kyberPreKeyId === undefined || kyberCiphertext === undefined) throw new SignalProtocolError('invalid-message', 'missing post-quantum prekey');
        const kyberPreKey = await this.store.loadKyberPreKey(kyberPreKeyId);
        if (kyberPreKey === undefined) throw new SignalProtocolError('missing-prekey', `no Kyber prekey with id ${kyberPreKeyId}`);
        let oneTime: EcKeyPair | undefined;
        if (message.preKeyId !== undefined) {
          const preKey = await this.store.loadPreKey(message.preKeyId);
          if (preKey === undefined) throw new SignalProtocolError('missing-prekey', `no one-time prekey with id ${message.preKeyId}`);
          oneTime = preKey.keyPair;
        }
        const identity = await this.store.getIdentityKeyPair();
        const handshake = await pqxdhRespond({
          ourIdentity: identity,
          ourSignedPreKey: signedPreKey.keyPair,
          ourOneTimePreKey: oneTime,
          ourKyberPreKey: kyberPreKey.keyPair,
          theirIdentity: message.identityKey,
          theirBaseKey: message.baseKey,
          kyberCiphertext,
        });
        record.promoteState(
          new SessionState(
            CIPHERTEXT_MESSAGE_CURRENT_VERSION,
            identity.publicKey,
            message.identityKey,
            handshake.rootKey,
            0,
            { ratchetKeyPair: signedPreKey.keyPair, chainKey: handshake.chainKey },
            [],
            undefined,
            await this.store.getLocalRegistrationId(),
            message.registrationId,
            message.baseKey.serialize(),
            SpqrChain.initial(handshake.pqrKey, 'B2A'),
          ),
        );
        used = { preKeyId: message.preKeyId, signedPreKeyId: message.signedPreKeyId, kyberPreKeyId };
      }
      const plaintext = await this.decryptWithRecord(record, message.message, CiphertextMessageType.PreKey);
      await this.store.saveIdentity(this.remoteAddress, message.identityKey);
      if (used !== undefined) {
        await this.store.markKyberPreKeyUsed(used.kyberPreKeyId, used.signedPreKeyId, message.baseKey);
        if (used.preKeyId !== undefined) await this.store.removePreKey(used.preKeyId);
      }
      return this.startStoring(record, plaintext, options);
    }));
  }

  /** Decrypts a Double Ratchet message of an established session. */
  decryptSignalMessage(bytes: Uint8Array, options: DecryptOptions = {}): Promise<Uint8Array> {
    return whenStored(serialized(this.store, this.remoteAddress, async () => {
      const message = decodeSignalMessage(bytes);
      const record = await this.store.loadSession(this.remoteAddress);
      if (record === undefined) throw new SignalProtocolError('session-not-found', `no session for ${addressKey(this.remoteAddress)}`);
      const plaintext = await this.decryptWithRecord(record, message, CiphertextMessageType.Whisper);
      const remoteIdentity = record.current!.remoteIdentityKey;
      if (!(await this.store.isTrustedIdentity(this.remoteAddress, remoteIdentity, 'receiving'))) {
        throw new SignalProtocolError('untrusted-identity', `untrusted identity for ${addressKey(this.remoteAddress)}`);
      }
      await this.store.saveIdentity(this.remoteAddress, remoteIdentity);
      return this.startStoring(record, plaintext, options);
    }));
  }

  /**
   * Starts storing the advanced session and hands the plaintext to `onPlaintext` while the write
   * is under way: what the caller does with it (a call answering) and the disk write overlap.
   * The next operation on this session starts now too (a call's answer is encrypted while the
   * offer's state commits). That is safe for the ratchet because the store answers the record
   * being written to that operation's read and commits its write only behind this one, never if
   * this one failed (SessionStore), and because `encrypt` hands out a ciphertext only once the state
   * that moved past its message key has committed: a crash loses no used key, and no state lands
   * that consumed the key of a message whose own write failed (that message comes again and must
   * decrypt). The decryption itself resolves only once this write committed, as before.
   */
  private startStoring(record: SessionRecord, plaintext: Uint8Array, options: DecryptOptions): Stored<Uint8Array> {
    const stored = this.store.storeSession(this.remoteAddress, record);
    stored.catch(() => {}); // awaited by whenStored
    options.onPlaintext?.(plaintext);
    return { value: plaintext, stored };
  }

  /** Whether a current session exists that can send now. */
  async hasUsableSession(): Promise<boolean> {
    const record = await this.store.loadSession(this.remoteAddress);
    return record?.current?.hasUsableSenderChain(this.now()) ?? false;
  }

  /** Archives the current session (the next message needs a new bundle or the peer's PreKey message). */
  archiveCurrentState(): Promise<void> {
    return serialized(this.store, this.remoteAddress, async () => {
      const record = await this.store.loadSession(this.remoteAddress);
      if (record === undefined) return;
      record.archiveCurrentState();
      await this.store.storeSession(this.remoteAddress, record);
    });
  }

  private async decryptWithRecord(record: SessionRecord, message: SignalMessage, type: CiphertextMessageType): Promise<Uint8Array> {
    const errors: unknown[] = [];
    if (record.current !== undefined) {
      if (record.current.version !== message.version) {
        errors.push(new SignalProtocolError('unrecognized-version', `message version ${message.version} does not match session version ${record.current.version}`));
      } else {
        const attempt = record.current.clone();
        try {
          const plaintext = await this.decryptWithState(attempt, message);
          record.current = attempt;
          return plaintext;
        } catch (error) {
          if (isFinalDuplicate(error) || type === CiphertextMessageType.PreKey) throw error;
          errors.push(error);
        }
      }
    }
    for (let i = 0; i < record.previousCount; i++) {
      let previous: SessionState;
      try {
        previous = record.previousAt(i);
      } catch (error) {
        // A corrupt archived session must not block the others (libsignal skips it too).
        errors.push(error);
        continue;
      }
      if (previous.version !== message.version) continue;
      const attempt = previous.clone();
      try {
        const plaintext = await this.decryptWithState(attempt, message);
        record.promotePrevious(i, attempt);
        return plaintext;
      } catch (error) {
        if (isFinalDuplicate(error)) throw error;
        errors.push(error);
      }
    }
    if (errors.length === 0) throw new SignalProtocolError('session-not-found', `no session for ${addressKey(this.remoteAddress)}`);
    // A replay whose receiving chain is gone shows up as a reused SPQR index; otherwise the current
    // session's failure is the telling one (e.g. invalid-mac): archived ones rarely match.
    const reported = errors.find((e) => isSignalProtocolError(e, 'duplicate-message')) ?? errors[0];
    throw isSignalProtocolError(reported) ? reported : new SignalProtocolError('invalid-message', 'decryption failed', { cause: reported });
  }

  private async decryptWithState(state: SessionState, message: SignalMessage): Promise<Uint8Array> {
    const theirRatchetKey = message.ratchetKey;
    let chain = state.receiverChain(theirRatchetKey);
    if (chain === undefined) chain = await dhRatchetStep(state, message);
    const seed = consumeMessageKey(chain, message.counter);
    let pqKey: Uint8Array | undefined;
    try {
      pqKey = state.spqr.receive(message.pqRatchet);
    } catch (error) {
      if (isSignalProtocolError(error, 'duplicate-message')) sessionLocalDuplicates.add(error);
      throw error;
    }
    const keys = deriveMessageKeys(seed, message.counter, pqKey);
    if (!verifySignalMessageMac(message, state.remoteIdentityKey, state.localIdentityKey, keys.macKey)) {
      throw new SignalProtocolError('invalid-mac', 'MAC verification failed');
    }
    if (message.addresses !== undefined) {
      const expected = encodeMessageAddresses(this.remoteAddress, this.localAddress);
      if (expected === undefined || !constantTimeEqual(expected, message.addresses)) {
        throw new SignalProtocolError('invalid-mac', 'message addresses do not match sender and recipient');
      }
    }
    const plaintext = await aes256CbcDecrypt(keys.cipherKey, keys.iv, message.ciphertext);
    state.pendingPreKey = undefined;
    return plaintext;
  }
}

/** A session operation's result, and the write of the state it advanced to. */
interface Stored<T> {
  readonly value: T;
  readonly stored: Promise<void>;
}

/** The result of `operation`, once its state's write committed (rejects if that write failed). */
async function whenStored<T>(operation: Promise<Stored<T>>): Promise<T> {
  const { value, stored } = await operation;
  await stored;
  return value;
}

function isFinalDuplicate(error: unknown): boolean {
  return isSignalProtocolError(error, 'duplicate-message') && !sessionLocalDuplicates.has(error);
}

async function dhRatchetStep(state: SessionState, message: SignalMessage): Promise<ReceiverChain> {
  const sender = state.senderChain;
  if (sender === undefined) throw new SignalProtocolError('invalid-state', 'session has no sender chain');
  // Key generation does not depend on the first agreement: let the platform run both at once.
  const [receiving, newRatchetKey] = await Promise.all([createChain(state.rootKey, message.ratchetKey, sender.ratchetKeyPair), EcKeyPair.generate()]);
  const sending = await createChain(receiving.rootKey, message.ratchetKey, newRatchetKey);
  state.previousCounter = Math.max(sender.chainKey.index - 1, 0);
  state.rootKey = sending.rootKey;
  state.senderChain = { ratchetKeyPair: newRatchetKey, chainKey: sending.chainKey };
  return state.addReceiverChain(message.ratchetKey, receiving.chainKey);
}

function consumeMessageKey(chain: ReceiverChain, counter: number): Uint8Array {
  const chainIndex = chain.chainKey.index;
  if (chainIndex > counter) {
    const position = chain.messageKeys.findIndex((k) => k.index === counter);
    if (position < 0) throw new SignalProtocolError('duplicate-message', `message with old counter ${counter} (chain is at ${chainIndex})`);
    return chain.messageKeys.splice(position, 1)[0]!.seed;
  }
  if (counter - chainIndex > MAX_FORWARD_JUMPS) {
    throw new SignalProtocolError('invalid-message', `message from too far into the future (counter ${counter}, chain at ${chainIndex})`);
  }
  let chainKey = chain.chainKey;
  const skipped: SkippedMessageKey[] = [];
  // Only the newest MAX_MESSAGE_KEYS skipped keys survive, so older ones are not even derived into storage.
  const keepFrom = counter - MAX_MESSAGE_KEYS;
  while (chainKey.index < counter) {
    if (chainKey.index >= keepFrom) skipped.push({ index: chainKey.index, seed: messageKeySeed(chainKey) });
    chainKey = nextChainKey(chainKey);
  }
  if (skipped.length > 0) chain.messageKeys = [...skipped.reverse(), ...chain.messageKeys].slice(0, MAX_MESSAGE_KEYS);
  chain.chainKey = nextChainKey(chainKey);
  return messageKeySeed(chainKey);
}
