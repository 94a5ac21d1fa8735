// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- janode ships no types; this pulls ours into every program that compiles this file (e2e, tools), not only the server's.
/// <reference path="./janode.d.ts" />
/**
 * Drives Janus for the devices: every `sfu` frame a device sends on its relay WebSocket becomes
 * janode calls on that device's VideoRoom handles (one publisher and one multistream subscriber per
 * call), and the answer goes back as `sfu-result`. Janus's ids never leave the server: feeds are
 * named by participant index on the wire. No SDP, candidate, token or secret is ever logged.
 *
 * Requests of one device run one after another (a `publish` must not overtake its `join`, nor a
 * trickle its `publish`); devices do not wait for each other.
 */
import {
  SfuMediaSourceSchema,
  type SfuEvent,
  type SfuIceCandidate,
  type SfuJsep,
  type SfuPublishedSource,
  type SfuRequest,
  type SfuRequestFrame,
  type SfuResultFrame,
  type SfuStream,
  type ServerFrame,
} from '@parley/contracts';
import Janode from 'janode';
import VideoRoomPlugin, { type JanusSubscriberStream, type VideoRoomHandle } from 'janode/plugins/videoroom';
import type { Logger } from 'pino';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { DeviceAddress } from '../storage/storage.js';
import { type GroupCalls, type ParticipantProfile, feedOf, indexOfFeed } from './group-calls.js';
import type { JanusRooms } from './janus-rooms.js';
import { SfuError, janusRefusal } from './sfu-error.js';

/** What `join-link` let the device do: join the link's call now, or wait for its creator. */
export type LinkJoin = { kind: 'join'; callId: string } | { kind: 'waiting'; callId: string; requestId: string };

/** Call links (issue 9) as the gateway uses them; call-links/link-calls.ts implements it. */
export interface LinkCallsPort {
  /** Checks the link and decides: join its call (started if none runs) or wait for approval. */
  joinLink(device: DeviceAddress, roomId: string, verifier: string): Promise<LinkJoin>;
  admit(device: DeviceAddress, callId: string, requestId: string, admit: boolean): Promise<void>;
  remove(device: DeviceAddress, callId: string, participant: number): Promise<void>;
  /**
   * `invite`: in a link's call only its creator may, as admitting people is theirs alone (issue
   * 21); in any other call the registry's rule (a participant invites) applies unchanged.
   */
  invite(device: DeviceAddress, callId: string, invitees: readonly string[]): Promise<void>;
  /** Refuses a `join` by call id from someone the link's creator removed from its call. */
  authorizeJoin(device: DeviceAddress, callId: string): Promise<void>;
  /** A device joined a call (answered already): the link's creator gets the requests waiting. */
  joined(device: DeviceAddress, callId: string): Promise<void>;
  /** Display name, guest and via-link flags of a device joining a call. */
  profileOf(device: DeviceAddress, callId: string): Promise<ParticipantProfile>;
  isGuest(userId: string): Promise<boolean>;
}

export interface SfuGatewayOptions {
  calls: GroupCalls;
  /** Call links; without them `join-link`, `admit` and `remove` answer `bad_request`. */
  links?: LinkCallsPort | null;
  /** Opens the device's handles on the instance holding its call. */
  rooms: Pick<JanusRooms, 'attach'>;
  /** Pushes a frame to the device's current relay connection, if any. */
  notify: (device: DeviceAddress, frame: ServerFrame) => void;
  limiter: RateLimiter;
  log: Logger;
  /**
   * How long a device whose WebSocket closed stays in its calls, so a reconnecting device can join
   * again without the others seeing it leave and come back.
   */
  disconnectGraceMs: number;
}

/** A subscriber m-line as the server keeps it: the wire's view plus the publisher's m-line it carries. */
interface SubscribedStream extends SfuStream {
  /** The mid of the m-line in the publisher's connection (Janus's `feed_mid`). */
  feedMid?: string;
}

/**
 * Which relay connection a request came through, with several nodes: the node holding the device's
 * socket (sfu-router.ts). A leave sent because that socket closed applies only to a call the device
 * joined through that node: one that came back through another node and joined again stays.
 */
export interface RequestOrigin {
  readonly via: string;
  /** The leave a node sends after the disconnect grace (not the device's own). */
  readonly afterDisconnect?: boolean;
}

/** Janus's state for one device in one call. */
interface DeviceCall {
  index: number;
  /** The node the device joined through (RequestOrigin), or null when nobody said. */
  via: string | null;
  publisher: VideoRoomHandle;
  published: boolean;
  /** The mids of the m-lines this device publishes (from its latest offer), so subscribers can add the new ones. */
  publishedMids: string[];
  subscriber: VideoRoomHandle | null;
  /** The subscriber's current m-lines, Janus's view. */
  streams: SubscribedStream[];
}

/** One device's SFU state across its calls. */
class DeviceSession {
  readonly calls = new Map<string, DeviceCall>();
  queue: Promise<void> = Promise.resolve();
  leaveTimer: NodeJS.Timeout | null = null;

  constructor(readonly device: DeviceAddress) {}
}

const keyOf = (device: DeviceAddress) => `${device.userId}\u0000${device.deviceId}`;

export class SfuGateway {
  private readonly sessions = new Map<string, DeviceSession>();
  private stopped = false;

  constructor(private readonly options: SfuGatewayOptions) {}

  /** Takes one `sfu` frame of an authenticated device; `reply` sends its `sfu-result`. */
  handle(device: DeviceAddress, frame: SfuRequestFrame, reply: (frame: ServerFrame) => void, origin?: RequestOrigin): void {
    const retryAfter = this.options.limiter.take(keyOf(device));
    if (retryAfter > 0) {
      return reply(failure(frame.id, new SfuError('rate_limited', `Too many SFU requests; retry in ${retryAfter} ms.`)));
    }
    const session = this.session(device);
    const run = session.queue.then(async () => {
      try {
        const body = await this.run(session, frame.request, origin);
        reply({ t: 'sfu-result', ref: frame.id, ok: true, body });
        // After the answer: a creator hears of people waiting only once it knows it is in the call.
        const joinedCall = frame.request.op === 'join' ? frame.request.callId : frame.request.op === 'join-link' && !body.waiting ? body.callId : undefined;
        if (typeof joinedCall === 'string') {
          await this.options.links?.joined(session.device, joinedCall).catch((error: unknown) =>
            this.options.log.warn({ err: { message: (error as Error).message } }, 'could not pass on waiting join requests'),
          );
        }
      } catch (error) {
        const refusal = error instanceof SfuError ? error : janusRefusal(error);
        if (!(error instanceof SfuError)) {
          this.options.log.warn({ op: frame.request.op, err: { message: (error as Error).message } }, 'sfu request failed');
        }
        reply(failure(frame.id, refusal));
      }
    });
    session.queue = run;
    // A device in no call keeps no state here once its last request is done.
    void run.then(() => {
      if (session.queue === run && session.calls.size === 0 && !session.leaveTimer) this.sessions.delete(keyOf(session.device));
    });
  }

  /**
   * The device's relay connection closed: after the grace period it leaves its calls, unless it
   * came back (`handle` with a new connection cancels the timer; a rejoin replaces its presence).
   * With `via` (this node, with several): only the calls it joined through this node.
   */
  disconnected(device: DeviceAddress, stillConnected: () => boolean, via?: string): void {
    const session = this.sessions.get(keyOf(device));
    // Even with no call yet: a join still in flight must not leave the device in a call it dropped.
    if (!session || this.stopped) return;
    if (session.leaveTimer) clearTimeout(session.leaveTimer);
    session.leaveTimer = setTimeout(() => {
      session.leaveTimer = null;
      if (stillConnected()) return;
      session.queue = session.queue.then(() => this.leaveAll(session, via));
    }, this.options.disconnectGraceMs);
    session.leaveTimer.unref();
  }

  /**
   * Server shutdown: lets requests in flight finish, and leaves the calls stored (they survive the
   * restart; devices join again when they reconnect). The handles go with the janode connection.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(
      [...this.sessions.values()].map(async (session) => {
        if (session.leaveTimer) clearTimeout(session.leaveTimer);
        await session.queue;
      }),
    );
  }

  private session(device: DeviceAddress): DeviceSession {
    const key = keyOf(device);
    let session = this.sessions.get(key);
    if (!session) this.sessions.set(key, (session = new DeviceSession({ userId: device.userId, deviceId: device.deviceId })));
    if (session.leaveTimer) {
      clearTimeout(session.leaveTimer);
      session.leaveTimer = null;
    }
    return session;
  }

  private async run(session: DeviceSession, request: SfuRequest, origin: RequestOrigin | undefined): Promise<Record<string, unknown>> {
    const via = origin?.via ?? null;
    const { calls } = this.options;
    switch (request.op) {
      case 'create':
        if (await this.options.links?.isGuest(session.device.userId)) {
          throw new SfuError('guest_not_allowed', 'Guests join calls through links; they cannot start group calls.');
        }
        return calls.create(session.device, request.invitees);
      case 'invite':
        if (this.options.links) await this.options.links.invite(session.device, request.callId, request.invitees);
        else await calls.invite(session.device, request.callId, request.invitees);
        return {};
      case 'join':
        return this.join(session, request.callId, via);
      case 'publish':
        return this.publish(session, request.callId, request.jsep, request.sources ?? []);
      case 'subscribe':
        return this.subscribe(session, request.callId, request.participants);
      case 'unsubscribe':
        return this.unsubscribe(session, request.callId, request.participants);
      case 'answer': {
        const { state } = await this.joined(session, request.callId);
        if (!state.subscriber) throw new SfuError('bad_request', 'There is no subscriber offer to answer: subscribe first.');
        await state.subscriber.start({ jsep: { ...request.jsep }, e2ee: true });
        return {};
      }
      case 'substream':
        return this.substream(session, request.callId, request.participant, request.substream);
      case 'receive-video':
        return this.receiveVideo(session, request.callId, request.participant, request.receive);
      case 'trickle':
        return this.trickle(session, request.callId, request.pc, request.candidate);
      case 'leave':
        // The node the device left stays silent about a call it joined again through another.
        if (origin?.afterDisconnect && !this.joinedVia(session, request.callId, via)) return {};
        await this.leave(session, request.callId);
        return {};
      case 'join-link': {
        const links = this.linksOrRefuse();
        const outcome = await links.joinLink(session.device, request.roomId, request.verifier);
        if (outcome.kind === 'waiting') return { waiting: true, requestId: outcome.requestId };
        return { callId: outcome.callId, ...(await this.join(session, outcome.callId, via)) };
      }
      case 'admit':
        await this.linksOrRefuse().admit(session.device, request.callId, request.requestId, request.admit);
        return {};
      case 'remove':
        await this.linksOrRefuse().remove(session.device, request.callId, request.participant);
        return {};
      case 'lock':
        await calls.setLocked(session.device, request.callId, request.locked);
        return {};
    }
  }

  private linksOrRefuse(): LinkCallsPort {
    if (!this.options.links) throw new SfuError('bad_request', 'Call links are not available on this server.');
    return this.options.links;
  }

  private async join(session: DeviceSession, callId: string, via: string | null): Promise<Record<string, unknown>> {
    // A rejoin from this device: its old handles go, the registry replaces its presence.
    const previous = session.calls.get(callId);
    if (previous) {
      session.calls.delete(callId);
      await detach(previous);
    }
    const sink = (event: SfuEvent) => this.onCallEvent(session, callId, event);
    const { links } = this.options;
    if (links) await links.authorizeJoin(session.device, callId);
    const profile = links ? await links.profileOf(session.device, callId) : {};
    const { self, participants, host } = await this.options.calls.join(session.device, callId, sink, profile);
    let publisher: VideoRoomHandle | null = null;
    try {
      publisher = await this.options.rooms.attach(self.placement);
      const handle = publisher;
      const state: DeviceCall = { index: self.index, via, publisher: handle, published: false, publishedMids: [], subscriber: null, streams: [] };
      handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_TALKING, (data: { feed?: number; talking?: boolean }) => {
        if (typeof data.feed === 'number') this.options.calls.talking(callId, indexOfFeed(data.feed), data.talking === true);
      });
      // Janus lets subscribers in only once the publisher's connection is up: `published` waits for it.
      handle.on(Janode.EVENT.HANDLE_WEBRTCUP, () => {
        if (session.calls.get(callId) === state) this.options.calls.published(callId, state.index);
      });
      await handle.joinPublisher({ room: self.roomId, feed: self.feed, display: String(self.index), token: self.token });
      session.calls.set(callId, state);
    } catch (error) {
      if (publisher) await publisher.detach().catch(() => undefined);
      await this.options.calls.leave(callId, self.index, { keepCall: true });
      throw error;
    }
    const { token: _token, feed: _feed, placement: _placement, roomId: _roomId, ...wireSelf } = self;
    return { self: wireSelf, participants, host };
  }

  private async publish(session: DeviceSession, callId: string, jsep: SfuJsep, sources: readonly SfuPublishedSource[]): Promise<Record<string, unknown>> {
    const { state } = await this.joined(session, callId);
    if (jsep.type !== 'offer') throw new SfuError('bad_request', 'publish takes the device\'s offer.');
    // e2ee: Janus forwards the SFrame payloads untouched; a room with require_e2ee refuses without it.
    // The descriptions name each m-line's track, so subscribers tell a shared screen from the camera.
    const params = { jsep: { ...jsep }, e2ee: true, descriptions: sources.map(({ mid, source }) => ({ mid, description: source })) };
    const renegotiation = state.published;
    const result = renegotiation ? await state.publisher.configure(params) : await state.publisher.publish(params);
    if (!result.jsep) throw new SfuError('sfu_error', 'Janus answered the offer without an answer SDP.');
    state.published = true;
    const before = state.publishedMids;
    state.publishedMids = offeredMids(jsep.sdp);
    // New m-lines (a shared screen): Janus does not add them to existing subscriptions, so the others
    // hear `published` again and subscribe to what they lack (the first publish is announced once
    // the connection is up, see `join`).
    if (renegotiation && state.publishedMids.some((mid) => !before.includes(mid))) this.options.calls.published(callId, state.index);
    return { jsep: { type: result.jsep.type, sdp: result.jsep.sdp } };
  }

  private async subscribe(session: DeviceSession, callId: string, indexes: number[]): Promise<Record<string, unknown>> {
    const { state, participant } = await this.joined(session, callId);
    const publishing = new Set((await this.options.calls.participants(callId)).filter((p) => p.publishing).map((p) => p.index));
    const missing = indexes.filter((index) => !publishing.has(index) || index === state.index);
    if (missing.length > 0) throw new SfuError('bad_request', `Not publishing (or yourself): ${missing.join(', ')}.`);
    // A participant received already: only the m-lines it published since (Janus would add a second copy of the others).
    const feeds = unique(indexes).flatMap((index) => {
      const received = state.streams.filter((s) => s.participant === index);
      if (received.length === 0) return [{ feed: feedOf(index) }];
      const lacking = this.publishedMidsOf(session, callId, index).filter((mid) => !received.some((s) => s.feedMid === mid));
      return lacking.map((mid) => ({ feed: feedOf(index), mid }));
    });
    if (feeds.length === 0) return { streams: state.streams.map(toWire) };
    let result;
    if (!state.subscriber) {
      const subscriber = await this.options.rooms.attach(participant.placement);
      state.subscriber = subscriber;
      subscriber.on(VideoRoomPlugin.EVENT.VIDEOROOM_UPDATED, (data: { jsep?: { type: 'offer' | 'answer'; sdp: string }; streams?: JanusSubscriberStream[] }) => {
        if (!data.jsep) return;
        state.streams = toStreams(data.streams);
        this.push(session, callId, { kind: 'subscriber-offer', jsep: { type: data.jsep.type, sdp: data.jsep.sdp }, streams: state.streams.map(toWire) });
      });
      try {
        result = await subscriber.joinSubscriber({ room: participant.roomId, streams: feeds, token: participant.token });
      } catch (error) {
        state.subscriber = null;
        await subscriber.detach().catch(() => undefined);
        throw error;
      }
    } else {
      result = await state.subscriber.update({ subscribe: feeds });
    }
    state.streams = toStreams(result.streams);
    if (!result.jsep) throw new SfuError('sfu_error', 'Janus sent no offer for the subscription.');
    return { jsep: { type: result.jsep.type, sdp: result.jsep.sdp }, streams: state.streams.map(toWire) };
  }

  /** The mids a participant of a call publishes, from its device's latest offer (empty when not known here). */
  private publishedMidsOf(subscriber: DeviceSession, callId: string, index: number): string[] {
    for (const session of this.sessions.values()) {
      if (session === subscriber) continue;
      const call = session.calls.get(callId);
      if (call?.index === index) return call.publishedMids;
    }
    return [];
  }

  private async unsubscribe(session: DeviceSession, callId: string, indexes: number[]): Promise<Record<string, unknown>> {
    const { state } = await this.joined(session, callId);
    if (!state.subscriber) return { streams: [] };
    const result = await state.subscriber.update({ unsubscribe: unique(indexes).map((index) => ({ feed: feedOf(index) })) });
    state.streams = toStreams(result.streams);
    return { ...(result.jsep ? { jsep: { type: result.jsep.type, sdp: result.jsep.sdp } } : {}), streams: state.streams.map(toWire) };
  }

  private async substream(session: DeviceSession, callId: string, index: number, substream: number): Promise<Record<string, unknown>> {
    const { state } = await this.joined(session, callId);
    const stream = cameraOf(state.streams, index);
    if (!state.subscriber || !stream) throw new SfuError('bad_request', `You receive no video of participant ${index}.`);
    await state.subscriber.configure({ streams: [{ mid: stream.mid, substream }] });
    return {};
  }

  /** Pauses or resumes one participant's video to this device (Janus's per-stream `send`), without renegotiating. */
  private async receiveVideo(session: DeviceSession, callId: string, index: number, receive: boolean): Promise<Record<string, unknown>> {
    const { state } = await this.joined(session, callId);
    const stream = cameraOf(state.streams, index);
    if (!state.subscriber || !stream) throw new SfuError('bad_request', `You receive no video of participant ${index}.`);
    await state.subscriber.configure({ streams: [{ mid: stream.mid, send: receive }] });
    return {};
  }

  private async trickle(session: DeviceSession, callId: string, pc: 'publisher' | 'subscriber', candidate: SfuIceCandidate | null): Promise<Record<string, unknown>> {
    const { state } = await this.joined(session, callId);
    const handle = pc === 'publisher' ? state.publisher : state.subscriber;
    if (!handle) throw new SfuError('bad_request', 'No subscriber connection yet: subscribe first.');
    if (candidate === null) await handle.trickleComplete();
    else await handle.trickle({ ...candidate });
    return {};
  }

  private async leave(session: DeviceSession, callId: string): Promise<void> {
    const state = session.calls.get(callId);
    if (!state) {
      // Says call_not_found or not_joined, whichever applies.
      await this.options.calls.participant(session.device, callId);
      throw new SfuError('not_joined', 'This device is not in the call.');
    }
    session.calls.delete(callId);
    await detach(state);
    await this.options.calls.leave(callId, state.index);
  }

  /** Whether the device is in the call through `via` (any, when either side is unknown). */
  private joinedVia(session: DeviceSession, callId: string, via: string | null | undefined): boolean {
    const joined = session.calls.get(callId)?.via;
    return via == null || joined == null || joined === via;
  }

  private async leaveAll(session: DeviceSession, via?: string): Promise<void> {
    for (const callId of [...session.calls.keys()]) {
      if (!this.joinedVia(session, callId, via)) continue;
      await this.leave(session, callId).catch((error: unknown) =>
        this.options.log.warn({ callId, err: { message: (error as Error).message } }, 'leaving a call after a disconnect failed'),
      );
    }
    if (session.calls.size === 0 && !session.leaveTimer) this.sessions.delete(keyOf(session.device));
  }

  /** The device's state in a call it joined, or `not_joined` / `call_not_found`. */
  private async joined(session: DeviceSession, callId: string) {
    const participant = await this.options.calls.participant(session.device, callId);
    const state = session.calls.get(callId);
    if (!state || state.index !== participant.index) throw new SfuError('not_joined', 'Join the call first.');
    return { state, participant };
  }

  private onCallEvent(session: DeviceSession, callId: string, event: SfuEvent): void {
    if (event.kind === 'restarted' || event.kind === 'ended' || event.kind === 'removed') {
      const state = session.calls.get(callId);
      session.calls.delete(callId);
      // After a restart the handles died with Janus; after an end, detaching is courtesy.
      if (state) void detach(state);
    }
    this.push(session, callId, event);
  }

  private push(session: DeviceSession, callId: string, event: SfuEvent): void {
    this.options.notify(session.device, { t: 'sfu-event', callId, event });
  }
}

/** Janus's subscriber streams as the server keeps them: m-line → participant index, kind, source and the publisher's m-line. */
export function toStreams(streams: readonly JanusSubscriberStream[] | undefined): SubscribedStream[] {
  const result: SubscribedStream[] = [];
  for (const stream of streams ?? []) {
    if ((stream.type !== 'audio' && stream.type !== 'video') || typeof stream.feed_id !== 'number' || stream.active === false) continue;
    const source = SfuMediaSourceSchema.safeParse(stream.feed_description);
    result.push({
      mid: String(stream.mid),
      participant: indexOfFeed(stream.feed_id),
      kind: stream.type,
      ...(source.success ? { source: source.data } : {}),
      ...(stream.feed_mid === undefined ? {} : { feedMid: String(stream.feed_mid) }),
    });
  }
  return result;
}

/** A subscriber m-line as the wire names it (the publisher's mids stay on the server). */
function toWire({ feedMid: _feedMid, ...stream }: SubscribedStream): SfuStream {
  return stream;
}

/** The m-line carrying a participant's camera (simulcast layers and pausing apply to it, never to a shared screen). */
function cameraOf(streams: readonly SubscribedStream[], index: number): SubscribedStream | undefined {
  return streams.find((s) => s.participant === index && s.kind === 'video' && s.source !== 'screen');
}

/** The mids of an offer's m-lines that send media (not rejected, not inactive). */
export function offeredMids(sdp: string): string[] {
  const mids: string[] = [];
  for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
    // Port 0 rejects an m-line, unless it is bundle-only (RFC 8843 §7.2.2): Firefox offers the m-lines
    // it adds in a renegotiation (a shared screen) so, and they do send.
    const rejected = /^m=\S+ 0 /.test(section) && !/\r?\na=bundle-only\b/.test(section);
    if (rejected || /\r?\na=(inactive|recvonly)\b/.test(section)) continue;
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    if (mid) mids.push(mid);
  }
  return mids;
}

async function detach(state: DeviceCall): Promise<void> {
  await Promise.allSettled([state.publisher.detach(), state.subscriber?.detach()]);
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}

/** The `sfu-result` refusing request `ref`. */
export function failure(ref: string, error: SfuError): SfuResultFrame {
  return { t: 'sfu-result', ref, ok: false, code: error.code, message: error.message.slice(0, 500) };
}
