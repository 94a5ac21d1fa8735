import {
  CONTENT_ROUTES,
  type ClientFrame,
  type Content,
  ContentSchema,
  type DeliverFrame,
  type LinkRequestFrame,
  RELAY_MAX_FRAME_BYTES,
  type RelayCloseCause,
  type RelayStatus,
  type SendFrame,
  SendFrameSchema,
  type SendResultFrame,
  type ServerFrame,
  ServerFrameSchema,
  type SfuAnswers,
  type SfuEventFrame,
  type SfuRequest,
  SfuRequestFrameSchema,
  relayCloseCauseOf,
} from '@parley/contracts';
import { type Behavior, type EventBus, readOnly } from '@parley/event-bus';
import { BehaviorSubject, type Observable, Subject } from 'rxjs';
import { utf8 } from '@parley/bytes';
import { type Clock, type TimerHandle, systemClock } from '@parley/clock';
import { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { DeliveryDeferred, RelayError, type RelayErrorCode, type RelayErrorDetails } from './errors.js';
import { Outbox, type PendingSend } from './outbox.js';
import { RecentMessageIds } from './recent-message-ids.js';
import { SfuRequests } from './sfu-requests.js';
import { NORMAL_CLOSURE, type RelaySocket, type RelaySocketConstructor } from './relay-socket.js';

/** How long the client waits for the server, in milliseconds. */
export interface RelayTimeouts {
  /** Between keepalive pings once the connection is ready. */
  readonly pingIntervalMs: number;
  /** For the `pong` to a ping; missing it counts as a drop. */
  readonly pongTimeoutMs: number;
  /** From starting an attempt (token, socket open, auth) to the server's `ready`. */
  readonly handshakeTimeoutMs: number;
  /** From writing a `send` to the server's `result`. */
  readonly sendTimeoutMs: number;
}

/** Ping every 25 s, pong within 10 s, ready within 10 s, result within 10 s. */
export const DEFAULT_RELAY_TIMEOUTS: RelayTimeouts = {
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  sendTimeoutMs: 10_000,
};

/** Server frames about the account rather than content: handed to `onControlFrame`, never to the bus. */
export type ControlFrame = Extract<ServerFrame, { t: 'prekeys-low' }> | LinkRequestFrame;

/** What a RelayClient needs from the shell that owns it. */
/**
 * Content types a decrypter may publish before it has finished with a message (see EarlyPublisher):
 * call signaling, which the call engine handles idempotently and which is worth milliseconds.
 */
const EARLY_CONTENT_TYPES: ReadonlySet<Content['type']> = new Set(['call-signaling']);

/**
 * Given to `decrypt` with each delivery: `publish` puts the message's content on the bus at once,
 * before the decrypter has stored what decrypting it changed (its Signal session). Only for
 * EARLY_CONTENT_TYPES; anything else is refused (false). If the decrypter then fails in a way that
 * brings the message again, it is published again.
 */
export interface EarlyPublisher {
  publish(content: unknown): boolean;
}

export interface RelayClientOptions {
  /** The relay endpoint, e.g. `wss://parley.example/ws`. */
  readonly url: string;
  /** This device's bearer token, sent as the first frame; asked again on every attempt. */
  readonly token: () => string | Promise<string>;
  /** The bus delivered content and `relay.status` are published on. */
  readonly bus: EventBus;
  /**
   * Turns a delivered ciphertext into content (Signal decryption); may throw. Resolving `null`
   * says the message was already handled (a duplicate the decrypter recognised): it is acked and
   * nothing is published. Content published early through `early` is never published again.
   */
  readonly decrypt: (frame: DeliverFrame, early: EarlyPublisher) => Promise<unknown>;
  /** Receives `prekeys-low` and `link-request` frames; a throw or rejection is reported as `handler-failed`. */
  readonly onControlFrame?: (frame: ControlFrame) => void | Promise<void>;
  /** The WebSocket class; `globalThis.WebSocket` when omitted. */
  readonly WebSocketImpl?: RelaySocketConstructor;
  /** Where timers run; the system clock when omitted. */
  readonly clock?: Clock;
  /** Reconnect delays; DEFAULT_BACKOFF for whatever is omitted. */
  readonly backoff?: Partial<BackoffOptions>;
  /** Keepalive and timeouts; DEFAULT_RELAY_TIMEOUTS for whatever is omitted. */
  readonly timeouts?: Partial<RelayTimeouts>;
  /** How many delivered message ids are remembered for de-duplication. */
  readonly dedupeCapacity?: number;
}

/** What chat and call may use of the page's relay connection; only the shell connects and closes. */
export interface RelayConnection {
  /** `relay.status` on the bus, as a read-only current value. */
  readonly status: Behavior<RelayStatus>;
  /** Failures nobody awaits: bad frames, undecryptable content, auth failure, timeouts. */
  readonly errors$: Observable<RelayError>;
  /** Sends ciphertext; resolves when the server accepted it, rejects with a RelayError. */
  send(frame: SendFrame): Promise<void>;
  /**
   * Asks the server to drive the SFU for this device (group calls, sfu.ts); rejects with a
   * RelayError (`offline`, `sfu-rejected`, `sfu-timeout`, `closed`). Optional: a shell older than
   * group calls has no such method, and the call app then offers no group calls.
   */
  sfu?<Op extends SfuRequest['op']>(request: Extract<SfuRequest, { op: Op }>): Promise<SfuAnswers[Op]>;
  /** Events of the group calls this device joined. */
  readonly sfuEvents$?: Observable<SfuEventFrame>;
}

/**
 * What the client does when the server closes for each cause: stop for good and report why (the
 * listed error code), or reconnect with backoff (null). Total over the contract's causes, so a new
 * cause cannot go unhandled.
 */
const ON_SERVER_CLOSE: Readonly<Record<RelayCloseCause, { stop: RelayErrorCode; message: string } | null>> = {
  authFailed: { stop: 'auth-failed', message: "the relay refused this device's token" },
  // Its token is gone with it: reconnecting would only be refused.
  deviceRemoved: { stop: 'device-removed', message: 'this device was removed from its account' },
  // Reconnecting would take the connection back from the other tab or device, which would then do
  // the same: stop instead, and let the shell offer "Use here".
  replaced: { stop: 'replaced', message: 'this device connected to the relay from somewhere else' },
  badFrame: null,
  tooManyConnections: null,
  tooManyFrames: null,
  goingAway: null,
  internalError: null,
};

// Where the client is in its life. 'idle': never connected, sends queue up. 'active': connected
// or trying to be. 'stopped': closed on purpose or for good, sends fail until connect() again.
type Lifecycle = 'idle' | 'active' | 'stopped';

/**
 * The client of the device's one relay WebSocket: authenticates, keeps the connection alive and
 * reconnects with backoff, sends with acknowledgement, and routes delivered content by type onto
 * the bus, acking each message only once its handler took it.
 */
export class RelayClient implements RelayConnection {
  readonly status: Behavior<RelayStatus>;
  /** Why the server closed the connection last (the contract's cause), until the next one is ready; null otherwise. */
  readonly closeCause: Behavior<RelayCloseCause | null>;
  readonly errors$: Observable<RelayError>;
  readonly sfuEvents$: Observable<SfuEventFrame>;

  private readonly closeCauseSubject = new BehaviorSubject<RelayCloseCause | null>(null);

  private readonly sfuEvents = new Subject<SfuEventFrame>();
  private readonly sfuRequests: SfuRequests;
  private readonly bus: EventBus;
  private readonly clock: Clock;
  private readonly timeouts: RelayTimeouts;
  private readonly backoff: Backoff;
  private readonly WebSocketImpl: RelaySocketConstructor;
  private readonly errors = new Subject<RelayError>();
  private readonly outbox = new Outbox();
  private readonly seen: RecentMessageIds;

  private lifecycle: Lifecycle = 'idle';
  // Bumped for every attempt and on close, so callbacks of an abandoned socket or token request
  // recognise themselves as stale and do nothing.
  private generation = 0;
  private socket: RelaySocket | null = null;
  private ready = false;
  private reconnectTimer: TimerHandle | null = null;
  private handshakeTimer: TimerHandle | null = null;
  private pingTimer: TimerHandle | null = null;
  private pongTimer: TimerHandle | null = null;
  // Deliveries are handled one at a time, in arrival order: Signal decryption advances a ratchet,
  // so messages of a session must not be decrypted concurrently or out of order.
  private deliveries: Promise<void> = Promise.resolve();

  constructor(private readonly options: RelayClientOptions) {
    const WebSocketImpl = options.WebSocketImpl ?? (globalThis.WebSocket as RelaySocketConstructor | undefined);
    if (!WebSocketImpl) throw new TypeError('RelayClient: no WebSocket in this runtime; pass WebSocketImpl');
    this.WebSocketImpl = WebSocketImpl;
    this.bus = options.bus;
    this.clock = options.clock ?? systemClock;
    this.timeouts = { ...DEFAULT_RELAY_TIMEOUTS, ...options.timeouts };
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff });
    this.seen = new RecentMessageIds(options.dedupeCapacity);
    this.status = this.bus.state('relay.status');
    this.closeCause = readOnly(this.closeCauseSubject);
    this.errors$ = this.errors.asObservable();
    this.sfuEvents$ = this.sfuEvents.asObservable();
    this.sfuRequests = new SfuRequests(this.clock, this.timeouts.sendTimeoutMs);
  }

  /** Starts connecting; does nothing while already connected or trying to be. */
  connect(): void {
    if (this.lifecycle === 'active') return;
    this.lifecycle = 'active';
    this.backoff.reset();
    this.setStatus('connecting');
    this.attempt();
  }

  /** Closes the connection for good: no reconnect, waiting sends fail with `closed`. */
  close(): void {
    this.stop();
  }

  /** Sends ciphertext; resolves when the server accepted it, rejects with a RelayError. */
  send(frame: SendFrame): Promise<void> {
    if (this.lifecycle === 'stopped') {
      return Promise.reject(new RelayError('closed', 'the relay client is closed', { messageId: frame.id }));
    }
    const invalid = this.checkSend(frame);
    if (invalid) return Promise.reject(invalid);
    return new Promise<void>((resolve, reject) => {
      this.outbox.enqueue({ frame, resolve, reject, timer: null });
      if (this.ready) this.flushOutbox();
    });
  }

  sfu<Op extends SfuRequest['op']>(request: Extract<SfuRequest, { op: Op }>): Promise<SfuAnswers[Op]> {
    if (this.lifecycle === 'stopped') return Promise.reject(new RelayError('closed', 'the relay client is closed'));
    if (!this.ready) return Promise.reject(new RelayError('offline', 'the relay is not connected'));
    const { id, answer } = this.sfuRequests.open(request.op as Op);
    const frame = { t: 'sfu' as const, id, request };
    if (!SfuRequestFrameSchema.safeParse(frame).success) {
      this.sfuRequests.settle({ t: 'sfu-result', ref: id, ok: false, code: 'bad_request', message: `the SFU ${request.op} request does not match SfuRequestSchema` });
    } else {
      this.write(frame);
    }
    return answer;
  }

  private checkSend(frame: SendFrame): RelayError | null {
    const messageId = typeof frame?.id === 'string' ? frame.id : undefined;
    if (!SendFrameSchema.safeParse(frame).success) {
      return new RelayError('invalid-send', 'the send frame does not match SendFrameSchema', { messageId });
    }
    if (utf8(JSON.stringify(frame)).byteLength > RELAY_MAX_FRAME_BYTES) {
      return new RelayError('invalid-send', `the send frame is larger than ${RELAY_MAX_FRAME_BYTES} bytes`, { messageId });
    }
    if (this.outbox.has(frame.id)) {
      return new RelayError('invalid-send', 'a send with this id is already waiting for its result', { messageId });
    }
    return null;
  }

  // ── connection lifecycle ────────────────────────────────────────────────────────────────────

  private attempt(): void {
    this.reconnectTimer = null;
    const generation = ++this.generation;
    this.handshakeTimer = this.clock.setTimeout(() => {
      this.handshakeTimer = null;
      this.report('handshake-timeout', `no ready from the relay within ${this.timeouts.handshakeTimeoutMs} ms`);
      this.drop();
    }, this.timeouts.handshakeTimeoutMs);

    // The token is asked for while the socket opens; its failure is handled once the socket is
    // open, so a rejected token promise is never left unhandled.
    const token = Promise.resolve()
      .then(() => this.options.token())
      .then(
        (value) => (typeof value === 'string' && value.length > 0 ? value : null),
        () => null,
      );

    let socket: RelaySocket;
    try {
      socket = new this.WebSocketImpl(this.options.url);
    } catch (error) {
      // A malformed URL never gets better: surface it to whoever called connect().
      this.stop();
      throw error;
    }
    this.socket = socket;
    socket.onerror = () => {
      // Nothing to do: a close event always follows an error, and that is where we react.
    };
    socket.onopen = () => {
      void token.then((value) => {
        if (generation !== this.generation) return;
        if (value === null) {
          this.report('token-unavailable', 'the token callback failed or returned no token');
          this.drop();
          return;
        }
        this.write({ t: 'auth', token: value });
      });
    };
    socket.onmessage = (event) => {
      if (generation === this.generation) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (generation === this.generation) this.closed(event.code, event.reason);
    };
  }

  private closed(code: number, reason: string): void {
    this.abandonSocket(false);
    const cause = relayCloseCauseOf(code);
    this.closeCauseSubject.next(cause);
    const ending = cause && ON_SERVER_CLOSE[cause];
    if (!cause || !ending) {
      this.scheduleReconnect();
      return;
    }
    this.report(ending.stop, `${ending.message}${reason ? `: ${reason}` : ''}`, { closeCause: cause });
    this.stop();
  }

  /** Treats the current connection as dead without waiting for a close handshake that may never come. */
  private drop(): void {
    this.abandonSocket(true);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.lifecycle !== 'active') return;
    this.generation++;
    this.setStatus('reconnecting');
    const delay = this.backoff.next();
    this.reconnectTimer = this.clock.setTimeout(() => this.attempt(), delay);
  }

  private stop(): void {
    this.lifecycle = 'stopped';
    this.generation++;
    this.abandonSocket(true);
    this.clearTimer('reconnectTimer');
    for (const send of this.outbox.clear()) {
      if (send.timer !== null) this.clock.clearTimeout(send.timer);
      send.reject(new RelayError('closed', 'the relay client was closed before the server answered', { messageId: send.frame.id }));
    }
    this.setStatus('closed');
  }

  /** Forgets the current socket and its timers; in-flight sends go back to the outbox. */
  private abandonSocket(closeIt: boolean): void {
    const socket = this.socket;
    this.socket = null;
    this.ready = false;
    this.clearTimer('handshakeTimer');
    this.clearTimer('pingTimer');
    this.clearTimer('pongTimer');
    this.sfuRequests.failAll('offline', 'the relay connection dropped before the SFU answered');
    for (const send of this.outbox.requeueInFlight()) {
      if (send.timer !== null) this.clock.clearTimeout(send.timer);
      send.timer = null;
    }
    if (!socket) return;
    // No-ops rather than null: `ws` throws on an 'error' event that has no listener.
    const ignore = (): void => {};
    socket.onopen = ignore;
    socket.onmessage = ignore;
    socket.onclose = ignore;
    socket.onerror = ignore;
    if (closeIt) {
      try {
        socket.close(NORMAL_CLOSURE);
      } catch {
        // Closing a socket that is still connecting may throw in some runtimes; it is gone either way.
      }
    }
  }

  private onReady(): void {
    this.clearTimer('handshakeTimer');
    this.ready = true;
    this.backoff.reset();
    this.closeCauseSubject.next(null);
    this.setStatus('open');
    this.flushOutbox();
    this.schedulePing();
  }

  // ── keepalive ───────────────────────────────────────────────────────────────────────────────

  private schedulePing(): void {
    this.pingTimer = this.clock.setTimeout(() => {
      this.pingTimer = null;
      this.write({ t: 'ping' });
      this.pongTimer ??= this.clock.setTimeout(() => {
        this.pongTimer = null;
        this.report('pong-timeout', `no pong from the relay within ${this.timeouts.pongTimeoutMs} ms`);
        this.drop();
      }, this.timeouts.pongTimeoutMs);
      this.schedulePing();
    }, this.timeouts.pingIntervalMs);
  }

  // ── outgoing ────────────────────────────────────────────────────────────────────────────────

  private flushOutbox(): void {
    for (const send of this.outbox.drain()) {
      send.timer = this.clock.setTimeout(() => this.timedOut(send), this.timeouts.sendTimeoutMs);
      this.write(send.frame);
    }
  }

  private timedOut(send: PendingSend): void {
    if (this.outbox.settle(send.frame.id) !== send) return;
    send.reject(
      new RelayError('send-timeout', `no result from the relay within ${this.timeouts.sendTimeoutMs} ms`, {
        messageId: send.frame.id,
      }),
    );
  }

  private write(frame: ClientFrame): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch {
      // The socket died under us; its close event (or the pong timeout) brings the reconnect.
    }
  }

  // ── incoming ────────────────────────────────────────────────────────────────────────────────

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.report('invalid-frame', 'the relay sent a binary frame; frames are JSON text');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.report('invalid-frame', 'the relay sent a frame that is not JSON');
      return;
    }
    const parsed = ServerFrameSchema.safeParse(json);
    if (!parsed.success) {
      // Paths only: the values may be ciphertext, which never goes into an error.
      const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(frame)').join(', ');
      this.report('invalid-frame', `the relay sent a frame that fails ServerFrameSchema at ${paths}`);
      return;
    }
    this.handle(parsed.data);
  }

  private handle(frame: ServerFrame): void {
    switch (frame.t) {
      case 'ready':
        if (!this.ready) this.onReady();
        return;
      case 'deliver':
        this.deliveries = this.deliveries.then(() => this.deliver(frame));
        return;
      case 'result':
        this.result(frame);
        return;
      case 'error':
        this.report('server-error', `the relay reported: ${frame.message}`, { serverCode: frame.code });
        return;
      case 'pong':
        this.clearTimer('pongTimer');
        return;
      case 'prekeys-low':
      case 'link-request':
        this.control(frame);
        return;
      case 'sfu-result':
        this.sfuRequests.settle(frame);
        return;
      case 'sfu-event':
        this.sfuEvents.next(frame);
        return;
      default:
        assertNever(frame);
    }
  }

  private result(frame: SendResultFrame): void {
    const { ref, ok, code, message } = frame;
    const send = this.outbox.settle(ref);
    // A result for nothing we wait on: a send that already timed out. Nobody is left to tell.
    if (!send) return;
    if (send.timer !== null) this.clock.clearTimeout(send.timer);
    if (ok) {
      send.resolve();
    } else {
      const devices =
        code === 'devices_changed' ? { missing: frame.missing ?? [], extra: frame.extra ?? [], stale: frame.stale ?? [] } : undefined;
      send.reject(
        new RelayError('send-rejected', message ?? 'the relay rejected the message', { messageId: ref, serverCode: code, devices }),
      );
    }
  }

  private control(frame: ControlFrame): void {
    const handler = this.options.onControlFrame;
    if (!handler) return;
    const failed = () => this.report('handler-failed', `the ${frame.t} handler failed`);
    try {
      void Promise.resolve(handler(frame)).catch(failed);
    } catch {
      failed();
    }
  }

  private async deliver(frame: DeliverFrame): Promise<void> {
    const messageId = frame.id;
    // Before decrypting: a redelivered message's keys are already spent, so it would not decrypt.
    if (this.seen.has(messageId)) {
      this.ack(messageId);
      return;
    }
    let plaintext: unknown;
    let publishedEarly = false;
    const early: EarlyPublisher = {
      publish: (content) => {
        const parsed = ContentSchema.safeParse(content);
        if (publishedEarly || !parsed.success || !EARLY_CONTENT_TYPES.has(parsed.data.type)) return false;
        try {
          this.publish(frame, parsed.data);
          publishedEarly = true;
          return true;
        } catch {
          this.report('handler-failed', 'publishing delivered content on the bus failed', { messageId });
          return false;
        }
      },
    };
    try {
      plaintext = await this.options.decrypt(frame, early);
    } catch (error) {
      if (error instanceof DeliveryDeferred) {
        // Not acked and not remembered: the server delivers it again after the next reconnect.
        this.report('delivery-deferred', 'a delivered message was deferred; it will come again after a reconnect', { messageId });
        return;
      }
      this.giveUp(messageId, 'undecryptable', 'a delivered message could not be decrypted');
      return;
    }
    if (plaintext === null || publishedEarly) {
      // The decrypter recognised a message it already handled (e.g. redelivered after a reload), or
      // published it early: either way it is on the bus once.
      this.seen.remember(messageId);
      this.ack(messageId);
      return;
    }
    const parsed = ContentSchema.safeParse(plaintext);
    if (!parsed.success) {
      this.giveUp(messageId, 'invalid-content', 'a delivered message decrypted to content that fails ContentSchema');
      return;
    }
    try {
      this.publish(frame, parsed.data);
    } catch {
      // Not acked: the handler did not take it, so the server keeps it and redelivers it.
      this.report('handler-failed', 'publishing delivered content on the bus failed', { messageId });
      return;
    }
    this.seen.remember(messageId);
    this.ack(messageId);
  }

  /** Reports a message that can never succeed and acks it, so the server stops redelivering it. */
  private giveUp(messageId: string, code: RelayErrorCode, message: string): void {
    this.report(code, message, { messageId });
    this.seen.remember(messageId);
    this.ack(messageId);
  }

  private publish(frame: DeliverFrame, content: Content): void {
    const from = { userId: frame.from.userId, deviceId: frame.from.deviceId };
    const messageId = frame.id;
    // One case per type so each payload is checked against its own bus event.
    switch (content.type) {
      case 'text':
        this.bus.publish(CONTENT_ROUTES.text, { from, messageId, content });
        return;
      case 'receipt':
        this.bus.publish(CONTENT_ROUTES.receipt, { from, messageId, content });
        return;
      case 'call-signaling':
        this.bus.publish(CONTENT_ROUTES['call-signaling'], { from, messageId, content });
        return;
      case 'group-key':
        this.bus.publish(CONTENT_ROUTES['group-key'], { from, messageId, content });
        return;
      case 'group-update':
        this.bus.publish(CONTENT_ROUTES['group-update'], { from, messageId, content });
        return;
      case 'sender-key':
        this.bus.publish(CONTENT_ROUTES['sender-key'], { from, messageId, content });
        return;
      case 'scheduled-call':
        this.bus.publish(CONTENT_ROUTES['scheduled-call'], { from, messageId, content });
        return;
      case 'call-history':
        this.bus.publish(CONTENT_ROUTES['call-history'], { from, messageId, content });
        return;
      case 'history-transfer':
        this.bus.publish(CONTENT_ROUTES['history-transfer'], { from, messageId, content });
        return;
      case 'reaction':
        this.bus.publish(CONTENT_ROUTES.reaction, { from, messageId, content });
        return;
      case 'edit':
        this.bus.publish(CONTENT_ROUTES.edit, { from, messageId, content });
        return;
      case 'delete':
        this.bus.publish(CONTENT_ROUTES.delete, { from, messageId, content });
        return;
      case 'typing':
        this.bus.publish(CONTENT_ROUTES.typing, { from, messageId, content });
        return;
      default:
        assertNever(content);
    }
  }

  private ack(id: string): void {
    // Without a ready connection the ack is dropped: the server redelivers unacked messages on
    // the next connection, and de-duplication acks them then without publishing twice.
    if (this.ready) this.write({ t: 'ack', id });
  }

  // ── small helpers ───────────────────────────────────────────────────────────────────────────

  private report(code: RelayErrorCode, message: string, details?: RelayErrorDetails): void {
    this.errors.next(new RelayError(code, message, details));
  }

  private setStatus(status: RelayStatus): void {
    this.bus.set('relay.status', status);
  }

  private clearTimer(name: 'reconnectTimer' | 'handshakeTimer' | 'pingTimer' | 'pongTimer'): void {
    const handle = this[name];
    if (handle !== null) this.clock.clearTimeout(handle);
    this[name] = null;
  }
}

function assertNever(value: never): never {
  throw new Error(`RelayClient: unexpected ${JSON.stringify(value)}`);
}
