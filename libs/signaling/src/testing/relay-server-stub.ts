// Tests run in Node and play the relay server with a real `ws` server on loopback; this file is
// test-only (excluded from the library's tsconfig), so the runtime:std ban on `ws` does not apply.
import { type WebSocket, WebSocketServer } from 'ws';
import { type ClientFrame, ClientFrameSchema, RELAY_CLOSE, type SendFrame, type ServerFrame } from '@parley/contracts';

/** How the stub answers a `send`: a result, or silence (to provoke a timeout). */
export type SendAnswer =
  | { ok: true }
  | { ok: false; code: string; message: string; missing?: number[]; extra?: number[]; stale?: number[] }
  | 'silent';

/** One client connection as the stub saw it. */
export interface StubConnection {
  readonly socket: WebSocket;
  /** Every frame the client sent on this connection, parsed, in order. */
  readonly frames: ClientFrame[];
  closed: boolean;
}

/**
 * A relay server for tests: accepts `token-of.<userId>` tokens (a stand-in: the real server knows only registered device tokens) with `ready`, refuses others with
 * RELAY_CLOSE.authFailed, answers pings and sends, and lets a test deliver frames or drop sockets.
 */
export class RelayServerStub {
  readonly connections: StubConnection[] = [];
  /** Whether `ping` gets a `pong`. */
  answerPings = true;
  /** Whether a valid `auth` gets `ready` (false: silence, to provoke a handshake timeout). */
  answerAuth = true;
  /** How many of the next auths are refused with this (non-auth) close code, as a transient failure. */
  private transientRefusals = { remaining: 0, code: 1013 };
  /** How each `send` is answered. */
  answerSend: (frame: SendFrame) => SendAnswer = () => ({ ok: true });

  private constructor(private readonly server: WebSocketServer, readonly url: string) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Starts a stub on 127.0.0.1 on a free port. */
  static async start(): Promise<RelayServerStub> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const address = server.address();
    if (typeof address === 'string' || address === null) throw new Error('RelayServerStub: no TCP address');
    return new RelayServerStub(server, `ws://127.0.0.1:${address.port}/ws`);
  }

  /** The newest connection; throws if there is none yet. */
  get latest(): StubConnection {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('RelayServerStub: no connection yet');
    return connection;
  }

  /** Refuses the next `count` auths by closing with `code`, which the client must treat as transient. */
  refuseNextAuths(count: number, code = 1013): void {
    this.transientRefusals = { remaining: count, code };
  }

  /** Sends a server frame (or raw text) on the newest connection. */
  push(frame: ServerFrame | string, connection: StubConnection = this.latest): void {
    connection.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Drops the newest connection the way a network failure does: no close handshake. */
  drop(connection: StubConnection = this.latest): void {
    connection.socket.terminate();
  }

  /** Frames of one kind the client sent on a connection, in order. */
  framesOf<T extends ClientFrame['t']>(t: T, connection: StubConnection = this.latest): Extract<ClientFrame, { t: T }>[] {
    return connection.frames.filter((frame): frame is Extract<ClientFrame, { t: T }> => frame.t === t);
  }

  /** Stops the server and every connection. */
  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: StubConnection = { socket, frames: [], closed: false };
    this.connections.push(connection);
    socket.on('close', () => {
      connection.closed = true;
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(RELAY_CLOSE.badFrame);
      const parsed = ClientFrameSchema.safeParse(JSON.parse(String(data)));
      if (!parsed.success) return socket.close(RELAY_CLOSE.badFrame);
      const frame = parsed.data;
      connection.frames.push(frame);
      this.answer(connection, frame);
    });
  }

  private answer(connection: StubConnection, frame: ClientFrame): void {
    const { socket } = connection;
    const first = connection.frames.length === 1;
    if (first !== (frame.t === 'auth')) return socket.close(RELAY_CLOSE.badFrame);
    switch (frame.t) {
      case 'auth': {
        if (this.transientRefusals.remaining > 0) {
          this.transientRefusals.remaining -= 1;
          return socket.close(this.transientRefusals.code);
        }
        const userId = /^token-of\.(.+)$/.exec(frame.token)?.[1];
        if (!userId) return socket.close(RELAY_CLOSE.authFailed, 'unknown token');
        if (this.answerAuth) this.push({ t: 'ready', userId, deviceId: 1 }, connection);
        return;
      }
      case 'ping':
        if (this.answerPings) this.push({ t: 'pong' }, connection);
        return;
      case 'send': {
        const answer = this.answerSend(frame);
        if (answer !== 'silent') this.push({ t: 'result', ref: frame.id, ...answer }, connection);
        return;
      }
      case 'ack':
        return;
    }
  }
}
