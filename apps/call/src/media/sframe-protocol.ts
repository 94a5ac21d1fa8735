/**
 * Messages between a call's media session (page) and its SFrame worker. Types only: both sides
 * import them. Secrets travel to the worker once per key generation; derived keys never leave it.
 */

/** What each encoded transform is told when it is created (`RTCRtpScriptTransform` options). */
export interface TransformOptions {
  readonly side: 'send' | 'receive';
  readonly kind: 'audio' | 'video';
  /** Track slot of the KID scheme (TrackSlot in libs/media-e2ee): 0 microphone, 1 camera/screen, 2 screen audio. */
  readonly slot: number;
}

/** A participant's sender secret for one generation. */
export interface WorkerKey {
  readonly suite: number;
  readonly generation: number;
  /** Participant index in the call (1:1: caller 0, callee 1). */
  readonly sender: number;
  readonly secret: Uint8Array;
}

export type ToWorker =
  /** This side's key: every send transform encrypts with it (its own KID per slot). */
  | { readonly type: 'local-key'; readonly key: WorkerKey }
  /** The peer's key: every receive transform decrypts with it. */
  | { readonly type: 'peer-key'; readonly key: WorkerKey }
  /** Test hook: replaces the peer's keys with a random secret under the same KIDs. */
  | { readonly type: 'corrupt-peer-key' };

/** Frame counters of one transform. */
export interface TransformCounters {
  readonly side: 'send' | 'receive';
  readonly kind: 'audio' | 'video';
  readonly slot: number;
  /** Frames encrypted (send) or decrypted (receive) and passed on. */
  readonly ok: number;
  /** Frames dropped because they could not be encrypted or decrypted. */
  readonly dropped: number;
  /** Failure code of the last dropped frame. */
  readonly lastFailure: string | null;
  /** Participant index named by the last failed frame's KID, when it had one. */
  readonly lastFailedSender: number | null;
}

export type FromWorker = { readonly type: 'counters'; readonly transforms: readonly TransformCounters[] };
