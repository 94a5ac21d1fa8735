/**
 * Messages between a call's media session (page) and its SFrame worker. Types only: both sides
 * import them. Secrets travel to the worker once per key generation; derived keys never leave it.
 */

/** What each encoded transform is told when it is created (`RTCRtpScriptTransform` options). */
export interface TransformOptions {
  readonly side: 'send' | 'receive';
  readonly kind: 'audio' | 'video';
  /** Track slot of the KID scheme (TrackSlot in libs/media-e2ee): 0 microphone, 1 camera (1:1: or screen), 2 screen audio, 3 group screen. */
  readonly slot: number;
  /**
   * Group call: receive transforms decrypt any participant's frames, finding the key by the KID
   * (sender, slot, generation) among the keys given with `group-peer-key`.
   */
  readonly group?: boolean;
  /**
   * Group call: the m-line this receive transform serves. Its frames must carry a KID of the
   * participant the SFU's stream list names for it (`stream-owners`), so an SFU cannot show one
   * participant's media under another's name.
   */
  readonly mid?: string;
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
  /** A worker made ahead: compile the crypto now, while the page is idle (no call state changes). */
  | { readonly type: 'warm-up' }
  /** This side's key: every send transform encrypts with it (its own KID per slot). */
  | { readonly type: 'local-key'; readonly key: WorkerKey }
  /** The peer's key: every receive transform decrypts with it. */
  | { readonly type: 'peer-key'; readonly key: WorkerKey }
  /** Group call: a participant's secret for one generation (later generations ratchet from it). */
  | { readonly type: 'group-peer-key'; readonly key: WorkerKey }
  /** Group call: a participant left; their keys go. */
  | { readonly type: 'forget-peer'; readonly sender: number }
  /**
   * Group call: which participant each subscriber m-line carries now, and which of their track slots
   * (replaces the previous list; the SFU may reuse an m-line for another track).
   */
  | { readonly type: 'stream-owners'; readonly owners: readonly { readonly mid: string; readonly participant: number; readonly slot: number }[] }
  /** Test hook: attributes every subscriber m-line to another participant, as a lying SFU would. */
  | { readonly type: 'misattribute-streams' }
  /** Test hook: replaces the peer's keys (in a group call: this sender's) with a random secret under the same KIDs. */
  | { readonly type: 'corrupt-peer-key'; readonly sender?: number };

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

/** Group call: frames of one participant (by the KID's sender) decrypted and dropped. */
export interface SenderCounters {
  readonly sender: number;
  readonly ok: number;
  readonly dropped: number;
}

export type FromWorker = {
  readonly type: 'counters';
  readonly transforms: readonly TransformCounters[];
  /** Group calls only. */
  readonly senders?: readonly SenderCounters[];
};
