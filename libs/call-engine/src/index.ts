export {
  ACCEPTED_NOTICE_DELAY_MS,
  CONNECT_TIMEOUT_MS,
  CallEngine,
  type CallEngineOptions,
  type CallEnginePhase,
  type CallRole,
  type CallSelf,
  type CallSnapshot,
  IDLE_SNAPSHOT,
  RECONNECT_GRACE_MS,
  RECONNECT_TIMEOUT_MS,
  RING_TIMEOUT_MS,
  toCallState,
} from './call-engine.js';
export type { CallMediaFactory, CallMediaInit, CallMediaSession, MediaConnectionState, SessionDescription } from './media-port.js';
export { type CallContentSender, type CallSignalingChannel, type IncomingCallSignal, type OutgoingCallSignal, type SignalOrigin, createMessengerSignalingChannel } from './signaling-channel.js';
export { GroupCall, type GroupCallDeps, type GroupCallPhase, type GroupCallSnapshot, type GroupCallTarget, type GroupParticipantView, failureOf } from './group/group-call.js';
export { type GroupKeyChannel, type GroupMediaSession, type GroupSignalChannel, type KeyOrigin, type SfuClient } from './group/group-call-ports.js';
export type { JoinRequest } from './group/group-membership.js';
export { type GroupPresence, REACTION_SHOWN_MS } from './group/group-presence.js';
export { type PresentAnswer, presenterOf } from './group/group-presenter.js';
export { GroupHostControls, type HostActionResult, type HostNotice, type HostState, isFromHost } from './group/group-host.js';
