/**
 * The relay WebSocket endpoint (`/ws`): authenticates a connection with its first frame, then
 * accepts `send` frames into the durable queue (through the group-committing RelayWriter) and
 * delivers queued envelopes to this device in queue order until it acks them. The server never
 * reads a payload and never logs one. The Origin header is not checked: no cookie or ambient
 * credential rides on the upgrade, so another site's page gains nothing without the device's token.
 */
import type { Socket } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import {
  type ClientFrame,
  ClientFrameSchema,
  type DeliverFrame,
  PREKEY_LOW_WATERMARK,
  RELAY_CLOSE,
  type RelayCloseCause,
  type RelayCloseReason,
  RELAY_MAX_FRAME_BYTES,
  RELAY_PATH,
  type SendFrame,
  type ServerFrame,
} from '@parley/contracts';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { z } from 'zod';
import type { AuthenticatedDevice, DeviceAuthenticator } from '../accounts/device-auth.js';
import { sendError } from '../http/http-errors.js';
import { addressBucket } from '../limits/client-address.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { ConnectionSlot, RelayConnectionCounter } from './relay-connection-caps.js';
import { parseFrequentFrame } from './relay-frame-fast-path.js';
import type { RelayConnection, RelayHub } from './relay-hub.js';
import type { RelayWriter } from './relay-writer.js';
import type { SfuFrames } from '../sfu/sfu-router.js';
import type { PreKeyStore, QueuedEnvelope, RelayQueueStore } from '../storage/storage.js';
import { corkForThisTurn } from './turn-corking.js';

/**
 * Hard limit at which `ws` itself drops a frame (closing with 1009) before buffering it whole.
 * Frames between RELAY_MAX_FRAME_BYTES and this are read and refused with RELAY_CLOSE.badFrame,
 * the code clients understand; the margin bounds memory per connection.
 */
export const RELAY_HARD_MAX_PAYLOAD = 4 * RELAY_MAX_FRAME_BYTES;

const CLIENT_FRAME_TYPES: readonly string[] = ClientFrameSchema.options.map((option) => option.shape.t.value);

export interface RelaySocketOptions {
  hub: RelayHub;
  storage: RelayQueueStore & Pick<PreKeyStore, 'preKeyCounts'>;
  writer: RelayWriter;
  auth: DeviceAuthenticator;
  /** Relay `send` frames, per device. */
  sendLimiter: RateLimiter;
  /** Time a new connection has to authenticate before it is closed. */
  authTimeoutMs: number;
  /** Called with every session, so the server can count open sockets (tests, fuzzing). */
  onSession?: (event: 'open' | 'close') => void;
  /** Group calls (sfu frames); absent when no SFU is configured. */
  sfu?: SfuFrames | null;
  /** Every frame of one connection, whatever its type (absent: only the per-kind limits). */
  frameLimiter?: RateLimiter;
  /** Sockets per address and per account; absent: uncapped. */
  connections?: RelayConnectionCounter;
  /** Bytes queued for a socket that does not read, past which it is cut. */
  maxBufferedBytes?: number;
  /** Ciphertext bytes delivered and not acked per connection (default DELIVERY_WINDOW_BYTES). */
  deliveryWindowBytes?: number;
  /**
   * Other nodes write to the same queues (PostgreSQL with Redis or polling): an envelope this node just committed is
   * read from the queue, never sent straight away, since another node may have committed an older
   * one for the device whose "look again" has not arrived (or died with that node); sending the
   * newer first would move the connection past the older one.
   */
  sharedQueues?: boolean;
}

/**
 * Envelopes delivered and not yet acked, per connection: past it, delivery waits for acks, so a
 * device that stopped reading cannot make the server buffer its whole queue in memory.
 */
export const DELIVERY_WINDOW = 256;

/**
 * The same window in ciphertext bytes: 256 envelopes of up to 256 KB would be 64 MB, far more than
 * any healthy client needs in flight, and more than a socket may buffer before it counts as not
 * reading (RelayConnectionCaps.maxBufferedBytes).
 */
export const DELIVERY_WINDOW_BYTES = 4 * 1024 * 1024;

/** Frames a client may send behind its auth frame before `ready`; a real client sends a few. */
const MAX_FRAMES_DURING_AUTH = 64;

/** Registers the relay WebSocket route (and the websocket plugin it needs) on a Fastify instance. */
export async function registerRelaySocket(app: FastifyInstance, options: RelaySocketOptions): Promise<void> {
  await app.register(fastifyWebsocket, {
    options: { maxPayload: RELAY_HARD_MAX_PAYLOAD },
    // The default logs the error at error level: a client dropping its connection is not our fault.
    errorHandler(error, socket, request) {
      request.log.warn({ err: { message: error.message, code: (error as NodeJS.ErrnoException).code } }, 'relay socket error');
      socket.terminate();
    },
    // Say why the connection ends, so the client's reconnect logic knows to try again.
    preClose(done) {
      for (const client of app.websocketServer.clients) closeWith(client, 'goingAway', 'server shutting down');
      app.websocketServer.close(() => done());
    },
  });

  app.route({
    method: 'GET',
    url: RELAY_PATH,
    handler: (_request, reply) =>
      sendError(reply, 426, 'upgrade_required', `${RELAY_PATH} is the relay WebSocket; connect with a WebSocket client.`),
    wsHandler: (socket, request) => {
      const slot = options.connections ? options.connections.admitAddress(addressBucket(request.ip)) : NO_CAP;
      if (!slot) {
        request.log.warn('relay socket refused: too many from one address');
        closeWith(socket, 'tooManyConnections', 'too many connections from this address');
        return;
      }
      // The TCP socket under the WebSocket (absent on an injected test connection): see RelaySession.send.
      new RelaySession(socket, options, request.log, request.raw.socket as Socket | undefined, slot).start();
    },
  });
}

type SessionState =
  | { kind: 'awaiting-auth'; timer: NodeJS.Timeout }
  | { kind: 'authenticating'; frames: RawData[] }
  | { kind: 'ready'; connection: ReadyConnection }
  | { kind: 'closed' };

/** Delivery bookkeeping of an authenticated connection. */
interface ReadyConnection extends RelayConnection {
  device: AuthenticatedDevice;
  /** Highest envelope seq sent on this connection; the queue is read after it. */
  lastSentSeq: number;
  /** Sent and not acked yet: seq → ciphertext bytes. */
  inFlight: Map<number, number>;
  inFlightBytes: number;
  /** True while nothing queued for this device is left unsent (new envelopes may go out at once). */
  caughtUp: boolean;
  pumping: boolean;
  pumpAgain: boolean;
}

let nextSessionNumber = 1;

/** The slot of a socket when nothing is capped. */
const NO_CAP: ConnectionSlot = { release: () => undefined };

/** One relay connection from accept to close. */
class RelaySession {
  private state: SessionState = { kind: 'closed' };
  /** Its place under the per-account cap, once authenticated. */
  private accountSlot: ConnectionSlot = NO_CAP;
  /** A check of the bytes waiting for this socket is scheduled (see send). */
  private bufferCheckPending = false;
  /** Key of this connection in the frame limiter. */
  private readonly frameKey = String(nextSessionNumber++);

  constructor(
    private readonly socket: WebSocket,
    private readonly options: RelaySocketOptions,
    private readonly log: FastifyBaseLogger,
    private readonly tcp: Socket | undefined,
    private readonly addressSlot: ConnectionSlot,
  ) {}

  start(): void {
    const timer = setTimeout(() => this.fail('authFailed', 'auth_timeout', 'No auth frame in time.'), this.options.authTimeoutMs);
    this.state = { kind: 'awaiting-auth', timer };
    this.options.onSession?.('open');
    this.socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.socket.on('close', () => this.onClose());
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state.kind === 'closed') return;
    // Frames are JSON text; anything else means a client that does not speak this protocol.
    if (isBinary) return this.close('badFrame', 'binary frames are not accepted');
    const size = byteLength(data);
    if (size > RELAY_MAX_FRAME_BYTES) return this.close('badFrame', `frame exceeds ${RELAY_MAX_FRAME_BYTES} bytes`);
    // Frames sent right behind the auth frame wait for its answer, then run in order.
    if (this.state.kind === 'authenticating') {
      if (this.state.frames.length >= MAX_FRAMES_DURING_AUTH) return this.close('badFrame', 'too many frames before ready');
      this.state.frames.push(data);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch {
      return this.close('badFrame', 'frame is not JSON');
    }
    // The schema decides whenever the fast path does not accept the frame outright.
    const frequent = parseFrequentFrame(json);
    const parsed = frequent ? ({ success: true, data: frequent } as const) : ClientFrameSchema.safeParse(json);

    if (this.state.kind === 'awaiting-auth') {
      if (!parsed.success || parsed.data.t !== 'auth') {
        return this.fail('authFailed', 'auth_required', 'The first frame must be {"t":"auth","token":…}.');
      }
      clearTimeout(this.state.timer);
      this.state = { kind: 'authenticating', frames: [] };
      void this.authenticate(parsed.data.token).catch((error: unknown) => {
        this.log.error({ err: { message: (error as Error).message } }, 'relay authentication failed');
        this.fail('authFailed', 'unavailable', 'The server could not check the token; try again.');
      });
      return;
    }
    // No frame type is free to flood with (pings, stray acks, bad frames); acks of delivered
    // envelopes are, since deliveries pace them and a catching-up device sends one per envelope.
    const deliveredAck = parsed.success && parsed.data.t === 'ack' && this.state.connection.inFlight.has(Number(parsed.data.id));
    if (!deliveredAck && (this.options.frameLimiter?.take(this.frameKey) ?? 0) > 0) {
      return this.close('tooManyFrames', 'too many frames; slow down');
    }
    if (!parsed.success) return this.send({ t: 'error', code: 'bad_frame', message: describeIssues(json, parsed.error) });
    this.handle(parsed.data, this.state.connection);
  }

  private async authenticate(token: string): Promise<void> {
    const device = await this.options.auth.authenticate(token);
    if (this.state.kind !== 'authenticating') return;
    if (!device) return this.fail('authFailed', 'unauthorized', 'The token is not valid.');
    const accountSlot = this.options.connections ? this.options.connections.admitAccount(device.userId) : NO_CAP;
    if (!accountSlot) return this.fail('tooManyConnections', 'too_many_connections', 'Too many connections for this account.');
    this.accountSlot = accountSlot;
    const buffered = this.state.frames;
    const connection: ReadyConnection = {
      userId: device.userId,
      deviceId: device.deviceId,
      device,
      lastSentSeq: 0,
      inFlight: new Map(),
      inFlightBytes: 0,
      caughtUp: false,
      pumping: false,
      pumpAgain: false,
      deliver: (frame) => this.send(frame),
      offer: (envelopes) => this.offer(connection, envelopes),
      close: (code, reason) => this.close(code, reason),
      lookAgain: () => {
        connection.caughtUp = false;
        void this.pump(connection);
      },
    };
    this.state = { kind: 'ready', connection };
    const replaced = this.options.hub.add(connection);
    replaced?.close('replaced', 'this device connected again elsewhere');
    this.log.debug({ userId: device.userId, deviceId: device.deviceId }, 'relay connection authenticated');
    this.send({ t: 'ready', userId: device.userId, deviceId: device.deviceId });
    // Before any await: frames arriving from now on must not overtake the buffered ones.
    for (const data of buffered) this.onMessage(data, false);
    await this.reportLowPreKeys(connection);
    await this.pump(connection);
  }

  private async reportLowPreKeys(connection: ReadyConnection): Promise<void> {
    const counts = await this.options.storage.preKeyCounts(connection);
    if (counts.oneTimePreKeys < PREKEY_LOW_WATERMARK || counts.kyberOneTimePreKeys < PREKEY_LOW_WATERMARK) {
      this.send({ t: 'prekeys-low', ...counts });
    }
  }

  private handle(frame: ClientFrame, connection: ReadyConnection): void {
    switch (frame.t) {
      case 'ping':
        return this.send({ t: 'pong' });
      case 'send':
        return this.accept(frame, connection);
      case 'ack':
        return this.acknowledge(frame.id, connection);
      case 'auth':
        return this.send({ t: 'error', code: 'bad_frame', message: 'This connection is already authenticated.' });
      case 'sfu':
        if (!this.options.sfu) return this.send({ t: 'sfu-result', ref: frame.id, ok: false, code: 'sfu_unavailable', message: 'Group calls are off on this server.' });
        return this.options.sfu.handle(connection, frame, (reply) => this.send(reply));
    }
  }

  /** Queues a send durably, then answers; frames of one connection are committed in order. */
  private accept(frame: SendFrame, connection: ReadyConnection): void {
    const retryAfter = this.options.sendLimiter.take(`${connection.userId}\u0000${connection.deviceId}`);
    if (retryAfter > 0) {
      return this.send({ t: 'result', ref: frame.id, ok: false, code: 'rate_limited', message: `Too many sends; retry in ${retryAfter} ms.` });
    }
    const submitted = this.options.writer.submit({
      sender: { userId: connection.userId, deviceId: connection.deviceId },
      to: frame.to,
      messageId: frame.id,
      messages: frame.messages.map((m) => ({ deviceId: m.deviceId, type: m.type, ciphertext: Buffer.from(m.ciphertext, 'base64') })),
    });
    // Only the id waits for the commit: the parsed frame, ciphertext and all, is garbage at once.
    const ref = frame.id;
    submitted.then(
      (outcome) => {
        switch (outcome.kind) {
          case 'queued':
            return this.send({ t: 'result', ref, ok: true });
          case 'unknown_user':
            return this.send({ t: 'result', ref, ok: false, code: 'unknown_user', message: 'No account has this user id.' });
          case 'queue_full':
            // Which device is full is not said: the sender learns nothing of the recipient's devices.
            return this.send({
              t: 'result',
              ref,
              ok: false,
              code: 'queue_full',
              message: 'A recipient device has too many undelivered messages; nothing was queued. Try again once it has caught up.',
            });
          case 'devices_changed':
            return this.send({
              t: 'result',
              ref,
              ok: false,
              code: 'devices_changed',
              message: 'The recipient\'s devices differ from those addressed: refresh them and send again.',
              missing: outcome.missing,
              extra: outcome.extra,
            });
        }
      },
      (error: unknown) => {
        // Not stored, so not acknowledged: the client keeps the message and retries.
        this.log.error({ err: { message: (error as Error).message } }, 'relay commit failed');
        this.send({ t: 'result', ref, ok: false, code: 'server_error', message: 'The message was not stored; send it again.' });
      },
    );
  }

  private acknowledge(id: string, connection: ReadyConnection): void {
    // Ids are the decimal seq this server handed out; anything else cannot name an envelope.
    if (!/^[1-9][0-9]{0,15}$/.test(id)) return;
    const seq = Number(id);
    this.options.writer.ack(connection, seq);
    const bytes = connection.inFlight.get(seq);
    if (bytes !== undefined) {
      connection.inFlight.delete(seq);
      connection.inFlightBytes -= bytes;
    }
    if (!connection.caughtUp) void this.pump(connection);
  }

  private windowFull(connection: ReadyConnection): boolean {
    return connection.inFlight.size >= DELIVERY_WINDOW || connection.inFlightBytes >= (this.options.deliveryWindowBytes ?? DELIVERY_WINDOW_BYTES);
  }

  /** Takes newly queued envelopes: sent at once when nothing older waits, else read from the queue. */
  private offer(connection: ReadyConnection, envelopes: QueuedEnvelope[]): void {
    if (this.state.kind !== 'ready' || this.state.connection !== connection) return;
    for (const envelope of envelopes) {
      if (envelope.seq <= connection.lastSentSeq) continue;
      if (this.options.sharedQueues || !connection.caughtUp || connection.pumping || this.windowFull(connection)) {
        connection.caughtUp = false;
        void this.pump(connection);
        return;
      }
      this.deliverEnvelope(connection, envelope);
    }
  }

  /** Sends queued envelopes after the last one sent, up to the window, until none is left. */
  private async pump(connection: ReadyConnection): Promise<void> {
    if (connection.pumping) {
      connection.pumpAgain = true;
      return;
    }
    connection.pumping = true;
    try {
      do {
        connection.pumpAgain = false;
        for (;;) {
          if (this.state.kind !== 'ready' || this.state.connection !== connection) return;
          const room = DELIVERY_WINDOW - connection.inFlight.size;
          if (this.windowFull(connection)) {
            connection.caughtUp = false;
            break;
          }
          const envelopes = await this.options.storage.pendingEnvelopes(connection, connection.lastSentSeq, room);
          // Envelopes read past a full window are read again later (lastSentSeq stays before them).
          let delivered = 0;
          while (delivered < envelopes.length && !this.windowFull(connection)) this.deliverEnvelope(connection, envelopes[delivered++]!);
          if (delivered < envelopes.length) continue;
          if (envelopes.length < room) {
            connection.caughtUp = true;
            break;
          }
        }
      } while (connection.pumpAgain);
    } catch (error) {
      this.log.error({ err: { message: (error as Error).message } }, 'relay delivery failed');
      this.close('internalError', 'delivery failed; reconnect');
    } finally {
      connection.pumping = false;
    }
  }

  private deliverEnvelope(connection: ReadyConnection, envelope: QueuedEnvelope): void {
    connection.lastSentSeq = envelope.seq;
    connection.inFlight.set(envelope.seq, envelope.ciphertext.byteLength);
    connection.inFlightBytes += envelope.ciphertext.byteLength;
    const ciphertext = envelope.ciphertext;
    const frame: DeliverFrame = {
      t: 'deliver',
      id: String(envelope.seq),
      messageId: envelope.messageId,
      from: envelope.sender,
      type: envelope.type as DeliverFrame['type'],
      ciphertext: Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength).toString('base64'),
      serverTimestamp: envelope.serverTimestamp,
    };
    this.send(frame);
  }

  /** Tells the client why, then closes: an error frame carries more than a close reason may. */
  private fail<C extends RelayCloseCause>(cause: C, errorCode: string, message: RelayCloseReason<C>): void {
    this.send({ t: 'error', code: errorCode, message });
    this.close(cause, message);
  }

  private close<C extends RelayCloseCause>(cause: C, reason: RelayCloseReason<C>): void {
    this.leave();
    closeWith(this.socket, cause, reason);
  }

  private onClose(): void {
    this.leave();
    this.addressSlot.release();
    this.accountSlot.release();
    this.options.onSession?.('close');
  }

  private leave(): void {
    if (this.state.kind === 'awaiting-auth') clearTimeout(this.state.timer);
    if (this.state.kind === 'ready') {
      const connection = this.state.connection;
      this.options.hub.remove(connection);
      // Its group calls wait a grace period for the device to reconnect (sfu-gateway.ts).
      this.options.sfu?.disconnected(connection, () => this.options.hub.connectionOf(connection) !== undefined);
    }
    this.state = { kind: 'closed' };
  }

  private send(frame: ServerFrame): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // A commit answers many sends and delivers many envelopes at once, several to each
    // connection: one write for all of them (turn-corking.ts).
    if (this.tcp) corkForThisTurn(this.tcp);
    this.socket.send(JSON.stringify(frame));
    // A client that stopped reading would make the server hold everything sent to it; the delivery
    // window bounds envelopes, not results, pongs or events. Measured once this turn's corked
    // writes went to the kernel: what it did not take waits here. The queue waits for the next connection.
    const bound = this.options.maxBufferedBytes;
    if (bound !== undefined && !this.bufferCheckPending && this.socket.bufferedAmount > bound) {
      this.bufferCheckPending = true;
      setImmediate(() => {
        this.bufferCheckPending = false;
        if (this.state.kind === 'closed' || this.socket.bufferedAmount <= bound) return;
        this.log.warn('relay socket cut: it does not read');
        this.leave();
        this.socket.terminate();
      });
    }
  }
}

/** Close code for an unexpected server failure (RFC 6455 "internal error"); clients reconnect. */

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Says what was wrong with a frame in a few words, without echoing its content. */
function describeIssues(json: unknown, error: z.ZodError): string {
  const type = typeof json === 'object' && json !== null && 't' in json ? (json as { t: unknown }).t : undefined;
  if (typeof type !== 'string' || !CLIENT_FRAME_TYPES.includes(type)) {
    return `Unknown frame type: "t" must be one of ${CLIENT_FRAME_TYPES.join(', ')}.`;
  }
  const parts = error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(frame)'}: ${issue.message}`);
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `Invalid ${type} frame: ${parts.join('; ')}${more}`.slice(0, 500);
}

/** Closes `socket` with the code of `cause` and one of its reasons (libs/contracts' relay-close). */
function closeWith<C extends RelayCloseCause>(socket: Pick<WebSocket, 'close'>, cause: C, reason: RelayCloseReason<C>): void {
  // A close reason may hold at most 123 bytes; ours are short ASCII (a contracts test), the cut is a backstop.
  socket.close(RELAY_CLOSE[cause], reason.slice(0, 123));
}
