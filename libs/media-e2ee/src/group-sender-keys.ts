import { type Clock, schedule, systemClock } from '@parley/clock';
import { SFrameError } from './errors.js';
import { MAX_KEY_GENERATION, MAX_SENDER_INDEX, SENDER_SECRET_LENGTH, generateSenderSecret } from './key-id.js';
import { ratchetSenderSecret } from './sender-secret-ratchet.js';

// The sending side of a group call's media key (ARCHITECTURE "Calls", Signal's design):
//
// - join: ratchet the secret one generation (one-way, see sender-secret-ratchet.ts), switch to it at
//   once, and send it only to the newcomers. Everyone else derives it on the first frame they see.
// - leave: draw a fresh random secret for the next generation, send it to those who remain, and
//   switch only after ROTATION_DELAY_MS so the key messages get there first. Until then the old
//   generation stays in use, which the leaver still holds: the delay is the price of not dropping
//   everyone's frames for a round trip.
// - a leave while a rotation is pending supersedes it: a newer fresh secret (one generation on), the
//   full delay again, since the remaining ones have not got the newer secret yet. The superseded
//   secret is never used for a frame.
// - a join while a rotation is pending sends the newcomers the pending secret itself: no frame has
//   been sent under it, so it opens nothing from before the join, and ratcheting it would only make
//   everyone else derive one more step.
//
// No I/O: the caller sends the returned messages over Signal and installs keys on onSwitch.

/** How long a fresh secret waits after a leave before frames use it: time for the key messages to arrive. */
export const ROTATION_DELAY_MS = 3_000;

/** One generation of a sender's secret. */
export interface SenderSecret {
  readonly generation: bigint;
  /** 32 bytes; travels only inside Signal messages. */
  readonly secret: Uint8Array;
}

/** Why a group key message is sent (the `reason` of `group-key` content). */
export type GroupKeyReason = 'initial' | 'join' | 'leave';

/** One key message to send over Signal as `group-key` content (the caller adds the call id and base64). */
export interface GroupKeyMessage extends SenderSecret {
  /** Recipient: a participant index in the call. */
  readonly to: number;
  /** Whose key: this device's participant index. */
  readonly sender: number;
  readonly reason: GroupKeyReason;
}

/** A fresh secret that frames will use from `switchAt` on. */
export interface PendingSenderSecret extends SenderSecret {
  /** Clock time of the switch, ms. */
  readonly switchAt: number;
}

/** Options for a {@link LocalSenderKey}. */
export interface LocalSenderKeyOptions {
  /** This device's participant index in the call (its KIDs' sender field). */
  readonly sender: number;
  /** Default: the platform clock. */
  readonly clock?: Clock;
  /** Default {@link ROTATION_DELAY_MS}. */
  readonly rotationDelayMs?: number;
  /** The first secret (default: a fresh random one) and its generation (default 0). */
  readonly initial?: SenderSecret;
}

/** Called when frames should start using a new generation: derive the track keys and `setKey` them. */
export type SenderSecretListener = (generation: bigint, secret: Uint8Array) => void;

/**
 * This participant's media sender secret in a group call: which generation frames use now, which
 * one is about to replace it, and the key messages each membership change calls for.
 */
export class LocalSenderKey {
  readonly #sender: number;
  readonly #clock: Clock;
  readonly #rotationDelayMs: number;
  readonly #listeners = new Set<SenderSecretListener>();
  #current: SenderSecret;
  #pending: (PendingSenderSecret & { readonly cancel: () => void }) | undefined;
  /** Membership changes run one after another: each starts from the state the previous one left. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: LocalSenderKeyOptions) {
    checkParticipant(options.sender);
    const rotationDelayMs = options.rotationDelayMs ?? ROTATION_DELAY_MS;
    if (!Number.isFinite(rotationDelayMs) || rotationDelayMs < 0) throw new SFrameError('invalid-argument', `rotation delay ${rotationDelayMs} ms must be a non-negative number`);
    const initial = options.initial ?? { generation: 0n, secret: generateSenderSecret() };
    if (initial.secret.length !== SENDER_SECRET_LENGTH) throw new SFrameError('invalid-argument', `sender secret must be ${SENDER_SECRET_LENGTH} bytes, got ${initial.secret.length}`);
    checkGeneration(initial.generation);
    this.#sender = options.sender;
    this.#clock = options.clock ?? systemClock;
    this.#rotationDelayMs = rotationDelayMs;
    this.#current = { generation: initial.generation, secret: initial.secret.slice() };
  }

  /** This device's participant index. */
  get sender(): number {
    return this.#sender;
  }

  /** The generation frames are encrypted with now. */
  get current(): SenderSecret {
    return this.#current;
  }

  /** The fresh secret waiting for its switch after a leave, if any. */
  get pending(): PendingSenderSecret | undefined {
    const pending = this.#pending;
    return pending && { generation: pending.generation, secret: pending.secret, switchAt: pending.switchAt };
  }

  /** Registers `listener` for switches of the sending generation; returns the function that removes it. */
  onSwitch(listener: SenderSecretListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Messages for participants already entitled to this sender's media (reason 'initial'), e.g. when
   * this device enters a call: the current secret, plus the pending one if a switch is due. Never
   * use it for a newcomer in a running call: that is {@link onJoin}.
   */
  initialMessages(participants: readonly number[]): GroupKeyMessage[] {
    const to = this.#recipients(participants);
    const secrets = this.#pending === undefined ? [this.#current] : [this.#current, this.#pending];
    return secrets.flatMap((s) => this.#messages(to, s, 'initial'));
  }

  /**
   * Newcomers joined: ratchets to the next generation and switches to it at once (onSwitch fires),
   * returning that secret for the newcomers only. With a rotation pending, sends them the pending
   * secret instead and changes nothing. No newcomers: no change, no messages.
   */
  onJoin(newcomers: readonly number[]): Promise<GroupKeyMessage[]> {
    return this.#serialize(async () => {
      const to = this.#recipients(newcomers);
      if (to.length === 0) return [];
      if (this.#pending !== undefined) return this.#messages(to, this.#pending, 'join');
      const generation = nextGeneration(this.#current.generation);
      const next = { generation, secret: await ratchetSenderSecret(this.#current.secret) };
      this.#switchTo(next);
      return this.#messages(to, next, 'join');
    });
  }

  /**
   * Participants left: draws a fresh secret one generation past the newest (pending or current),
   * returns it for `remaining` (everyone still in the call but this device), and switches after the
   * rotation delay. A pending rotation is superseded: its timer is cancelled and its secret never used.
   */
  onLeave(remaining: readonly number[]): Promise<GroupKeyMessage[]> {
    return this.#serialize(async () => {
      const to = this.#recipients(remaining);
      const newest = this.#pending ?? this.#current;
      const fresh: SenderSecret = { generation: nextGeneration(newest.generation), secret: generateSenderSecret() };
      this.#pending?.cancel();
      const cancel = schedule(this.#clock, this.#rotationDelayMs, () => {
        if (this.#pending?.generation !== fresh.generation) return;
        this.#switchTo(fresh);
      });
      this.#pending = { ...fresh, switchAt: this.#clock.now() + this.#rotationDelayMs, cancel };
      return this.#messages(to, fresh, 'leave');
    });
  }

  /** Cancels a pending switch and drops the listeners (the call ended for this device). */
  dispose(): void {
    this.#pending?.cancel();
    this.#pending = undefined;
    this.#listeners.clear();
  }

  #switchTo(next: SenderSecret): void {
    this.#pending = undefined;
    this.#current = next;
    for (const listener of [...this.#listeners]) listener(next.generation, next.secret);
  }

  #recipients(participants: readonly number[]): number[] {
    for (const p of participants) checkParticipant(p);
    return [...new Set(participants)].filter((p) => p !== this.#sender);
  }

  #messages(to: readonly number[], key: SenderSecret, reason: GroupKeyReason): GroupKeyMessage[] {
    return to.map((recipient) => ({ to: recipient, sender: this.#sender, generation: key.generation, secret: key.secret, reason }));
  }

  #serialize<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(step);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

function nextGeneration(generation: bigint): bigint {
  if (generation >= MAX_KEY_GENERATION) throw new SFrameError('invalid-argument', `key generation ${generation} is the last the KID can carry`);
  return generation + 1n;
}

function checkGeneration(generation: bigint): void {
  if (typeof generation !== 'bigint' || generation < 0n || generation > MAX_KEY_GENERATION) {
    throw new SFrameError('invalid-argument', `key generation ${String(generation)} is outside [0, ${MAX_KEY_GENERATION}]`);
  }
}

function checkParticipant(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_SENDER_INDEX) {
    throw new SFrameError('invalid-argument', `participant index ${index} is outside [0, ${MAX_SENDER_INDEX}]`);
  }
}
