import type { CallMedia, Peer } from '@parley/contracts';
import type { Observable } from 'rxjs';
import type { IceCandidateInit, MediaKeyGrant } from '@parley/contracts';

/** An SDP and the media key that goes with it in the same (Signal-encrypted) message. */
export interface SessionDescription {
  readonly sdp: string;
  readonly key: MediaKeyGrant;
}

/** Where the media connection is: the engine moves connecting → active on `connected`. */
export type MediaConnectionState = 'connecting' | 'connected' | 'disconnected' | 'failed';

/**
 * The engine's view of a call's media (one RTCPeerConnection with its encryption); the real one is
 * `RtcCallMedia` in ../media, tests use a fake. The engine decides when each step happens.
 */
export interface CallMediaSession {
  /** Caller: local media, transforms, offer (ICE gathering starts). */
  createOffer(): Promise<SessionDescription>;
  /**
   * Callee, while it rings: gets ready to answer `offer` without opening a device or sending
   * anything, so Accept has less to do. Failures surface from `acceptOffer`.
   */
  prepareAnswer(offer: SessionDescription): void;
  /** Callee, on Accept: opens the devices, applies the caller's offer and key (unless prepared), returns the answer. */
  acceptOffer(offer: SessionDescription): Promise<SessionDescription>;
  /** Caller: applies the callee's answer and key. */
  acceptAnswer(answer: SessionDescription): Promise<void>;
  /** A trickled candidate of the peer (null = end of candidates), after the remote description. */
  addRemoteCandidate(candidate: IceCandidateInit | null): Promise<void>;
  /** Caller, after a network loss: a new offer with fresh ICE credentials. */
  restartIce(): Promise<string>;
  /** Callee: applies the caller's ICE-restart offer, returns the answer. */
  acceptIceRestart(sdp: string): Promise<string>;
  /** Caller: applies the answer to its ICE-restart offer. */
  acceptIceRestartAnswer(sdp: string): Promise<void>;
  /** The peer's next key generation (rekey). */
  addPeerKey(key: MediaKeyGrant): Promise<void>;
  /** This side's candidates, as gathered. */
  readonly localCandidates$: Observable<IceCandidateInit | null>;
  readonly connection$: Observable<MediaConnectionState>;
  /**
   * The microphone and camera failed to open after the offer or answer went out (they open in
   * parallel with signaling): the call cannot go on. Optional for fakes.
   */
  readonly localMediaFailed$?: Observable<Error>;
  /** Stops tracks, closes the connection and the transforms. Idempotent. */
  close(): void;
}

/** What the media factory is told about the call it serves. */
export interface CallMediaInit {
  readonly callId: string;
  readonly role: 'caller' | 'callee';
  readonly media: CallMedia;
  readonly peer: Peer;
}

export type CallMediaFactory<S extends CallMediaSession = CallMediaSession> = (init: CallMediaInit) => S;
