/**
 * What a group call talks through: the server's SFU (requests and events on the page's relay
 * connection), Signal-encrypted messages to the other participants (keys, presence, reactions)
 * and its media (WebRTC to the SFU with SFrame: RtcGroupMedia in apps/call, a fake in tests).
 */
import type { GroupKeyContent, GroupSignal, IceCandidateInit, SfuAnswers, SfuEventFrame, SfuPublishedSource, SfuRequest, SfuStream } from '@parley/contracts';
import type { Observable } from 'rxjs';

/** The server's SFU, through the page's relay connection. */
export interface SfuClient {
  request<Op extends SfuRequest['op']>(request: Extract<SfuRequest, { op: Op }>): Promise<SfuAnswers[Op]>;
  readonly events$: Observable<SfuEventFrame>;
  /** Whether the relay connection is up; a drop and return makes the call join again. */
  readonly connected$: Observable<boolean>;
}

/** Who sent a Signal message. */
export interface KeyOrigin {
  readonly userId: string;
  readonly deviceId: number;
}

/** Group keys over Signal sessions (the messenger), to every device of a user. */
export interface GroupKeyChannel {
  send(toUserId: string, content: GroupKeyContent): Promise<void>;
  readonly incoming$: Observable<{ readonly from: KeyOrigin; readonly content: GroupKeyContent }>;
}

/** Presence and reactions between participants: `call-signaling` content over Signal (raw: parsed by the call). */
export interface GroupSignalChannel {
  send(toUserId: string, callId: string, signal: GroupSignal): Promise<void>;
  readonly incoming$: Observable<{ readonly from: KeyOrigin; readonly callId: string; readonly signal: unknown }>;
}

/** What the group call needs of its media (a fake in unit tests). */
export interface GroupMediaSession {
  /**
   * The publisher's offer, with the candidates gathered so far: the first opens the devices; a later
   * one renegotiates what was added since (a shared screen).
   */
  createPublishOffer(): Promise<string>;
  /** What each m-line of the latest publisher offer carries (microphone, camera, screen…), for the SFU. */
  publishedSources(): readonly SfuPublishedSource[];
  acceptPublishAnswer(sdp: string): Promise<void>;
  /** Applies a subscriber offer from the SFU and returns the answer. */
  applySubscriberOffer(sdp: string, streams: readonly SfuStream[]): Promise<string>;
  /** Candidates to trickle to the SFU, per connection (null: gathering done). */
  readonly candidates$: Observable<{ pc: 'publisher' | 'subscriber'; candidate: IceCandidateInit | null }>;
  /** Encrypt this device's frames with this sender secret from now on. */
  setLocalKey(sender: number, generation: number, secret: Uint8Array): void;
  /** A participant's sender secret for one generation. */
  addPeerKey(sender: number, generation: number, secret: Uint8Array): void;
  /** A participant left: drop their keys. */
  forgetPeer(sender: number): void;
  setMuted(muted: boolean): void;
  setCameraOn(on: boolean): Promise<void>;
  /** Both connections lost: the call must join again. */
  readonly failed$: Observable<void>;
  close(): void;
}

/** Sends a group signal once to each user among `to` (the messenger reaches all their devices); a failure is a warning. */
export function broadcastGroupSignal(signals: GroupSignalChannel, callId: string | null, to: readonly { readonly userId: string }[], signal: GroupSignal, warn: (message: string) => void): void {
  if (callId === null) return;
  for (const userId of new Set(to.map((p) => p.userId))) {
    signals.send(userId, callId, signal).catch((error: unknown) => warn(`a call update could not be sent: ${describeError(error)}`));
  }
}

/** The message of a failure, for warnings. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
