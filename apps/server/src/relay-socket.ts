/**
 * The relay WebSocket endpoint (`/ws`): authenticates a connection with its first frame, then
 * passes ciphertext between connections through the shared `RelayHub`. The server never reads a
 * payload and never logs one. The Origin header is not checked: no cookie or ambient credential
 * rides on the upgrade, so another site's page gains nothing without the device's token.
 */
import fastifyWebsocket from '@fastify/websocket';
import {
  type ClientFrame,
  ClientFrameSchema,
  RELAY_CLOSE,
  RELAY_MAX_FRAME_BYTES,
  RELAY_PATH,
  type ServerFrame,
} from '@parley/contracts';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { z } from 'zod';
import { authenticateToken } from './dev-auth.js';
import { sendError } from './http-errors.js';
import type { RelayConnection, RelayHub } from './relay-hub.js';

/**
 * Hard limit at which `ws` itself drops a frame (closing with 1009) before buffering it whole.
 * Frames between RELAY_MAX_FRAME_BYTES and this are read and refused with RELAY_CLOSE.badFrame,
 * the code clients understand; the margin bounds memory per connection.
 */
export const RELAY_HARD_MAX_PAYLOAD = 4 * RELAY_MAX_FRAME_BYTES;

const CLIENT_FRAME_TYPES: readonly string[] = ClientFrameSchema.options.map((option) => option.shape.t.value);

/** Close code for a server shutting down (RFC 6455 "going away"); clients reconnect with backoff. */
const CLOSE_GOING_AWAY = 1001;

export interface RelaySocketOptions {
  hub: RelayHub;
  /** Time a new connection has to authenticate before it is closed. */
  authTimeoutMs: number;
}

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
      for (const client of app.websocketServer.clients) client.close(CLOSE_GOING_AWAY, 'server shutting down');
      app.websocketServer.close(() => done());
    },
  });

  app.route({
    method: 'GET',
    url: RELAY_PATH,
    handler: (_request, reply) =>
      sendError(reply, 426, 'upgrade_required', `${RELAY_PATH} is the relay WebSocket; connect with a WebSocket client.`),
    wsHandler: (socket, request) => {
      new RelaySession(socket, options, request.log).start();
    },
  });
}

type SessionState = { kind: 'awaiting-auth'; timer: NodeJS.Timeout } | { kind: 'ready'; connection: RelayConnection } | { kind: 'closed' };

/** One relay connection from accept to close. */
class RelaySession {
  private state: SessionState = { kind: 'closed' };

  constructor(
    private readonly socket: WebSocket,
    private readonly options: RelaySocketOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    const timer = setTimeout(() => this.fail(RELAY_CLOSE.authFailed, 'auth_timeout', 'No auth frame in time.'), this.options.authTimeoutMs);
    this.state = { kind: 'awaiting-auth', timer };
    this.socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.socket.on('close', () => this.onClose());
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state.kind === 'closed') return;
    // Frames are JSON text; anything else means a client that does not speak this protocol.
    if (isBinary) return this.close(RELAY_CLOSE.badFrame, 'binary frames are not accepted');
    const size = byteLength(data);
    if (size > RELAY_MAX_FRAME_BYTES) return this.close(RELAY_CLOSE.badFrame, `frame of ${size} bytes exceeds ${RELAY_MAX_FRAME_BYTES}`);
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch {
      return this.close(RELAY_CLOSE.badFrame, 'frame is not JSON');
    }
    const parsed = ClientFrameSchema.safeParse(json);

    if (this.state.kind === 'awaiting-auth') {
      if (!parsed.success || parsed.data.t !== 'auth') {
        return this.fail(RELAY_CLOSE.authFailed, 'auth_required', 'The first frame must be {"t":"auth","token":…}.');
      }
      return this.authenticate(parsed.data.token, this.state.timer);
    }
    if (!parsed.success) return this.send({ t: 'error', code: 'bad_frame', message: describeIssues(json, parsed.error) });
    this.handle(parsed.data, this.state.connection);
  }

  private authenticate(token: string, timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    const device = authenticateToken(token);
    if (!device) return this.fail(RELAY_CLOSE.authFailed, 'unauthorized', 'The token is not valid.');
    const connection: RelayConnection = { ...device, deliver: (frame) => this.send(frame) };
    this.state = { kind: 'ready', connection };
    this.options.hub.add(connection);
    this.log.debug({ userId: device.userId, deviceId: device.deviceId }, 'relay connection authenticated');
    this.send({ t: 'ready', userId: device.userId, deviceId: device.deviceId });
  }

  private handle(frame: ClientFrame, connection: RelayConnection): void {
    switch (frame.t) {
      case 'ping':
        return this.send({ t: 'pong' });
      case 'send':
        // Accepted as soon as it is handed to whoever is online: there is no queue yet, so an
        // offline recipient misses it. Storing it first and acking after comes with the chat issue.
        this.options.hub.fanOut(connection, frame);
        return this.send({ t: 'result', ref: frame.id, ok: true });
      case 'ack':
        // Nothing is queued yet, so there is nothing to remove; accepted so clients can ack already.
        return;
      case 'auth':
        return this.send({ t: 'error', code: 'bad_frame', message: 'This connection is already authenticated.' });
    }
  }

  /** Tells the client why, then closes: an error frame carries more than a close reason may. */
  private fail(code: number, errorCode: string, message: string): void {
    this.send({ t: 'error', code: errorCode, message });
    this.close(code, message);
  }

  private close(code: number, reason: string): void {
    this.leave();
    // A close reason may hold at most 123 bytes; ours are short ASCII, the cut is a backstop.
    this.socket.close(code, reason.slice(0, 123));
  }

  private onClose(): void {
    this.leave();
  }

  private leave(): void {
    if (this.state.kind === 'awaiting-auth') clearTimeout(this.state.timer);
    if (this.state.kind === 'ready') this.options.hub.remove(this.state.connection);
    this.state = { kind: 'closed' };
  }

  private send(frame: ServerFrame): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(frame));
  }
}

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
