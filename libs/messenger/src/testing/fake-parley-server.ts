// An in-process Parley server for tests: the accounts API (as a `fetch`) and the relay (as a
// WebSocket class), both mirroring the documented behaviour of apps/server — exact device lists
// with `devices_changed`, one-time prekeys consumed per fetch, `prekeys-low`, queues kept until
// acked and redelivered on reconnect, idempotent sends, device linking with a long-poll.
// Test-only: excluded from the library's tsconfig and from the runtime:std lint.
import {
  ClientFrameSchema,
  type CallLink,
  CompleteLinkRequestSchema,
  CreateAccountRequestSchema,
  CreateCallLinkRequestSchema,
  type DeliverFrame,
  type DeviceKeys,
  DeviceKeysSchema,
  LinkProvisionSchema,
  LinkRequestSchema,
  PREKEY_LOW_WATERMARK,
  RELAY_CLOSE,
  type SendFrame,
  type ServerFrame,
  UpdateCallLinkRequestSchema,
  UploadKeysRequestSchema,
} from '@parley/contracts';
import { EcPublicKey, verifySignedPublicPreKey } from '@parley/signal-protocol';
import type { RelaySocket, RelaySocketConstructor } from '@parley/signaling';
import type { FetchFunction } from '../api-client.js';
import { fromBase64 } from '@parley/bytes';

type PreKey = DeviceKeys['oneTimePreKeys'][number];
type KyberPreKey = DeviceKeys['kyberOneTimePreKeys'][number];

/** A queued envelope, as the server keeps it until the device acks it. */
export interface QueuedEnvelope {
  readonly frame: DeliverFrame;
}

interface FakeDevice {
  readonly deviceId: number;
  registrationId: number;
  readonly token: string;
  signedPreKey: DeviceKeys['signedPreKey'];
  kyberLastResortPreKey: DeviceKeys['kyberLastResortPreKey'];
  oneTimePreKeys: PreKey[];
  kyberOneTimePreKeys: KyberPreKey[];
  readonly createdAt: number;
  lastSeenAt: number;
  queue: QueuedEnvelope[];
  connection: FakeConnection | null;
  /** While true, envelopes queue up without being pushed (the device is "offline" for the test). */
  paused: boolean;
}

interface FakeAccount {
  readonly userId: string;
  readonly handle: string;
  readonly displayName: string;
  identityKey: string;
  readonly devices: Map<number, FakeDevice>;
  nextDeviceId: number;
}

interface FakeConnection {
  readonly socket: FakeSocketHandle;
  device: { userId: string; deviceId: number } | null;
}

interface FakeSocketHandle {
  deliver(data: string): void;
  closeFromServer(code: number, reason: string): void;
}

interface LinkCodeState {
  readonly userId: string;
  readonly deviceId: number;
  readonly expiresAt: number;
  used: boolean;
}

interface LinkRequestState {
  readonly linkId: string;
  readonly userId: string;
  readonly expiresAt: number;
  provisioned: { envelope: string; provisioningToken: string } | null;
  readonly waiters: (() => void)[];
}

/** What a test can change about the link request the new device sent (to play a malicious server). */
export type LinkRequestTamper = (request: { linkId: string; ephemeralPublicKey: string; mac: string }) => {
  linkId: string;
  ephemeralPublicKey: string;
  mac: string;
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const LINK_CODE_TTL_MS = 10 * 60_000;
const randomId = (): string => crypto.randomUUID();
const randomToken = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The fake server. `fetch` and `WebSocket` are what clients are given in place of the real ones. */
export class FakeParleyServer {
  readonly baseUrl = 'https://parley.test';
  readonly relayUrl = 'wss://parley.test/ws';
  readonly fetch: FetchFunction;
  readonly WebSocket: RelaySocketConstructor;
  /** How long a link long-poll waits before answering 202 (the real server: 25 s). */
  longPollMs = 2_000;
  /** Changes each link request before the server handles it (a server swapping the ephemeral key). */
  tamperLinkRequest: LinkRequestTamper | null = null;
  /** Called as each ack arrives, before the envelope leaves the queue. */
  onAck: ((device: { userId: string; deviceId: number }, envelope: QueuedEnvelope) => void) | null = null;
  /** Every `send` frame the relay received, in order (what a test inspects for ciphertext only). */
  readonly sends: SendFrame[] = [];
  /** Call links by room id (create, update and revoke only; what a test inspects), with their verifier and revocation. */
  readonly callLinks = new Map<string, { link: CallLink; verifier: string; revoked: boolean }>();

  private readonly accounts = new Map<string, FakeAccount>();
  private readonly tokens = new Map<string, { userId: string; deviceId: number }>();
  private readonly linkCodes = new Map<string, LinkCodeState>();
  private readonly linkRequests = new Map<string, LinkRequestState>();
  private readonly provisioningTokens = new Map<string, { userId: string; used: boolean }>();
  private readonly acceptedSends = new Set<string>();
  private readonly staleOnce = new Map<string, Set<number>>();
  /** Envelopes queued per device past which a send is refused (`limitQueues`); null: unlimited. */
  private queueLimit: number | null = null;

  constructor(private readonly now: () => number = Date.now) {
    this.fetch = (input, init) => this.handleHttp(input, init);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    this.WebSocket = class FakeWebSocket implements RelaySocket {
      onopen: RelaySocket['onopen'] = null;
      onmessage: RelaySocket['onmessage'] = null;
      onclose: RelaySocket['onclose'] = null;
      onerror: RelaySocket['onerror'] = null;
      private closed = false;
      private readonly connection: FakeConnection;

      constructor(url: string) {
        if (url !== server.relayUrl) throw new SyntaxError(`FakeWebSocket: unknown url ${url}`);
        this.connection = {
          device: null,
          socket: {
            deliver: (data) => {
              if (!this.closed) setTimeout(() => !this.closed && this.onmessage?.({ data }), 0);
            },
            closeFromServer: (code, reason) => this.finish(code, reason),
          },
        };
        setTimeout(() => !this.closed && this.onopen?.({}), 0);
      }

      send(data: string): void {
        if (this.closed) throw new Error('FakeWebSocket: closed');
        setTimeout(() => !this.closed && server.receiveFrame(this.connection, data), 0);
      }

      close(code = 1000, reason = ''): void {
        this.finish(code, reason);
      }

      private finish(code: number, reason: string): void {
        if (this.closed) return;
        this.closed = true;
        server.disconnect(this.connection);
        setTimeout(() => this.onclose?.({ code, reason }), 0);
      }
    };
  }

  // ── test hooks ──────────────────────────────────────────────────────────────────────────────

  /** Stops pushing envelopes to a device: they queue up as for an offline device. */
  pause(userId: string, deviceId: number): void {
    this.device(userId, deviceId).paused = true;
  }

  /** Pushes what queued while paused, arranged by `arrange` (reorder, duplicate), then delivers normally again. */
  resume(userId: string, deviceId: number, arrange: (queue: readonly QueuedEnvelope[]) => readonly QueuedEnvelope[] = (q) => q): void {
    const device = this.device(userId, deviceId);
    device.paused = false;
    if (device.connection === null) return;
    for (const envelope of arrange([...device.queue])) device.connection.socket.deliver(JSON.stringify(envelope.frame));
  }

  /** Queued (unacked) envelopes of a device. */
  queued(userId: string, deviceId: number): readonly QueuedEnvelope[] {
    return [...this.device(userId, deviceId).queue];
  }

  /** Pushes an envelope again under a new server id (a server that lost track of an ack). */
  redeliverAsNew(userId: string, deviceId: number, envelope: QueuedEnvelope): void {
    const copy = { frame: { ...envelope.frame, id: randomId() } };
    const device = this.device(userId, deviceId);
    device.queue.push(copy);
    device.connection?.socket.deliver(JSON.stringify(copy.frame));
  }

  /** From now on a send is refused `queue_full` when an addressed device has `max` envelopes queued (the server's quota). */
  limitQueues(max: number): void {
    this.queueLimit = max;
  }

  /** The next send to `userId` naming `deviceId` is answered `devices_changed` with it as stale. */
  markStale(userId: string, deviceId: number): void {
    const set = this.staleOnce.get(userId) ?? new Set<number>();
    set.add(deviceId);
    this.staleOnce.set(userId, set);
  }

  /** One-time prekeys a device has left on the server. */
  preKeyCount(userId: string, deviceId: number): { oneTimePreKeys: number; kyberOneTimePreKeys: number } {
    const device = this.device(userId, deviceId);
    return { oneTimePreKeys: device.oneTimePreKeys.length, kyberOneTimePreKeys: device.kyberOneTimePreKeys.length };
  }

  /**
   * Re-registers an account with a new identity key and one new device (as after a reinstall, or a
   * server swapping keys): every old device is dropped. Returns the new device's id and token.
   */
  async replaceIdentity(userId: string, identityKey: string, keys: DeviceKeys): Promise<{ deviceId: number; token: string }> {
    const account = this.account(userId);
    for (const device of account.devices.values()) {
      this.tokens.delete(device.token);
      device.connection?.socket.closeFromServer(RELAY_CLOSE.deviceRemoved, 'device removed');
    }
    account.devices.clear();
    account.identityKey = identityKey;
    await this.checkDeviceKeys(identityKey, keys);
    const device = this.addDevice(account, keys);
    return { deviceId: device.deviceId, token: device.token };
  }

  // ── HTTP ────────────────────────────────────────────────────────────────────────────────────

  private async handleHttp(input: string, init: Parameters<FetchFunction>[1]): Promise<{ status: number; text(): Promise<string> }> {
    await tick();
    const respond = (status: number, body?: unknown) => ({ status, text: async () => (body === undefined ? '' : JSON.stringify(body)) });
    try {
      const url = new URL(input);
      const body: unknown = init.body === undefined ? undefined : JSON.parse(init.body);
      const auth = () => {
        const token = /^Bearer (.+)$/.exec(init.headers.authorization ?? '')?.[1];
        const device = token === undefined ? undefined : this.tokens.get(token);
        if (device === undefined) throw new HttpError(401, 'not_authenticated', 'missing or unknown token');
        return device;
      };
      const path = url.pathname.split('/').filter(Boolean);
      const route = `${init.method} /${path.map((part, i) => (i >= 2 && !['link', 'requests', 'provision', 'codes', 'complete'].includes(part) ? ':' : part)).join('/')}`;
      switch (route) {
        case 'POST /api/accounts':
          return respond(201, await this.createAccount(body));
        case 'GET /api/users':
          auth();
          return respond(200, this.userView(this.accountByHandle(url.searchParams.get('handle') ?? '')));
        case 'GET /api/users/:':
          auth();
          return respond(200, this.userView(this.account(decodeURIComponent(path[2]!))));
        case 'GET /api/keys/:':
        case 'GET /api/keys/:/:':
          auth();
          return respond(200, this.fetchBundles(decodeURIComponent(path[2]!), path[3] === undefined ? undefined : Number(path[3])));
        case 'GET /api/keys': {
          const me = auth();
          return respond(200, this.preKeyCount(me.userId, me.deviceId));
        }
        case 'PUT /api/keys':
          await this.uploadKeys(auth(), body);
          return respond(204);
        case 'GET /api/devices': {
          const me = auth();
          const devices = [...this.account(me.userId).devices.values()].map((d) => ({
            deviceId: d.deviceId,
            registrationId: d.registrationId,
            createdAt: d.createdAt,
            lastSeenAt: d.lastSeenAt,
          }));
          return respond(200, { devices });
        }
        case 'DELETE /api/devices/:':
          this.removeDevice(auth(), Number(path[2]));
          return respond(204);
        case 'POST /api/link/codes': {
          const me = auth();
          const linkId = randomId().replace(/-/g, '').slice(0, 16);
          const expiresAt = this.now() + LINK_CODE_TTL_MS;
          this.linkCodes.set(linkId, { userId: me.userId, deviceId: me.deviceId, expiresAt, used: false });
          return respond(200, { linkId, expiresAt });
        }
        case 'POST /api/link/requests':
          return respond(200, this.requestLink(body));
        case 'POST /api/link/requests/:/provision':
          this.provisionLink(auth(), path[3]!, body);
          return respond(204);
        case 'GET /api/link/requests/:': {
          const answer = await this.pollLink(path[3]!);
          return answer === null ? respond(202) : respond(200, answer);
        }
        case 'POST /api/link/complete':
          return respond(200, await this.completeLink(body));
        case 'POST /api/call-links': {
          const me = auth();
          const request = parseOr400(CreateCallLinkRequestSchema, body);
          if (this.callLinks.has(request.roomId)) throw new HttpError(409, 'link_exists', 'room id in use');
          const at = this.now();
          const link: CallLink = {
            roomId: request.roomId,
            encryptedName: request.encryptedName ?? null,
            approval: request.approval,
            creator: { userId: me.userId, displayName: this.account(me.userId).displayName },
            createdAt: at,
            lastUsedAt: at,
            expiresAt: at + 90 * 24 * 3_600_000,
          };
          this.callLinks.set(request.roomId, { link, verifier: request.verifier, revoked: false });
          return respond(201, link);
        }
        case 'PATCH /api/call-links/:':
        case 'DELETE /api/call-links/:': {
          const me = auth();
          const known = this.callLinks.get(decodeURIComponent(path[2]!));
          if (known === undefined) throw new HttpError(404, 'link_not_found', 'no such link');
          if (known.revoked) throw new HttpError(410, 'link_revoked', 'revoked');
          if (known.link.creator.userId !== me.userId) throw new HttpError(403, 'not_link_admin', 'not the creator');
          if (init.method === 'DELETE') {
            known.revoked = true;
            return respond(204);
          }
          const change = parseOr400(UpdateCallLinkRequestSchema, body);
          known.link = { ...known.link, ...change };
          return respond(200, known.link);
        }
        default:
          throw new HttpError(404, 'not_found', `no route ${route}`);
      }
    } catch (error) {
      if (error instanceof HttpError) return respond(error.status, { error: { code: error.code, message: error.message } });
      if (error instanceof SyntaxError) return respond(400, { error: { code: 'bad_request', message: 'malformed JSON' } });
      throw error;
    }
  }

  private async createAccount(body: unknown) {
    const request = parseOr400(CreateAccountRequestSchema, body);
    if ([...this.accounts.values()].some((a) => a.handle === request.handle)) throw new HttpError(409, 'handle_taken', 'handle taken');
    await this.checkDeviceKeys(request.identityKey, request.device);
    const account: FakeAccount = {
      userId: randomId(),
      handle: request.handle,
      displayName: request.displayName,
      identityKey: request.identityKey,
      devices: new Map(),
      nextDeviceId: 1,
    };
    this.accounts.set(account.userId, account);
    const device = this.addDevice(account, request.device);
    return { userId: account.userId, deviceId: device.deviceId, token: device.token };
  }

  private addDevice(account: FakeAccount, keys: DeviceKeys): FakeDevice {
    const device: FakeDevice = {
      deviceId: account.nextDeviceId++,
      registrationId: keys.registrationId,
      token: randomToken(),
      signedPreKey: keys.signedPreKey,
      kyberLastResortPreKey: keys.kyberLastResortPreKey,
      oneTimePreKeys: [...keys.oneTimePreKeys],
      kyberOneTimePreKeys: [...keys.kyberOneTimePreKeys],
      createdAt: this.now(),
      lastSeenAt: this.now(),
      queue: [],
      connection: null,
      paused: false,
    };
    account.devices.set(device.deviceId, device);
    this.tokens.set(device.token, { userId: account.userId, deviceId: device.deviceId });
    return device;
  }

  /** Signatures checked with the verify-only entry point, as the real server does. */
  private async checkDeviceKeys(identityKeyB64: string, keys: Partial<DeviceKeys>): Promise<void> {
    const identityKey = EcPublicKey.deserialize(fromBase64(identityKeyB64));
    const signed = [keys.signedPreKey, keys.kyberLastResortPreKey, ...(keys.kyberOneTimePreKeys ?? [])].filter((k) => k !== undefined);
    for (const key of signed) {
      if (!(await verifySignedPublicPreKey(identityKey, fromBase64(key.publicKey), fromBase64(key.signature)))) {
        throw new HttpError(400, 'invalid_signature', `prekey ${key.keyId} has a bad signature`);
      }
    }
  }

  private userView(account: FakeAccount) {
    return {
      userId: account.userId,
      handle: account.handle,
      displayName: account.displayName,
      identityKey: account.identityKey,
      devices: [...account.devices.values()].map((d) => ({ deviceId: d.deviceId, registrationId: d.registrationId })),
    };
  }

  private fetchBundles(userId: string, deviceId: number | undefined) {
    const account = this.account(userId);
    const devices = deviceId === undefined ? [...account.devices.values()] : [this.device(userId, deviceId)];
    return {
      userId,
      identityKey: account.identityKey,
      devices: devices.map((device) => {
        // Consumed atomically: nobody else gets these one-time keys.
        const preKey = device.oneTimePreKeys.shift();
        const kyberPreKey = device.kyberOneTimePreKeys.shift() ?? device.kyberLastResortPreKey;
        if (device.oneTimePreKeys.length < PREKEY_LOW_WATERMARK || device.kyberOneTimePreKeys.length < PREKEY_LOW_WATERMARK) {
          this.push(device, { t: 'prekeys-low', oneTimePreKeys: device.oneTimePreKeys.length, kyberOneTimePreKeys: device.kyberOneTimePreKeys.length });
        }
        return {
          deviceId: device.deviceId,
          registrationId: device.registrationId,
          signedPreKey: device.signedPreKey,
          ...(preKey === undefined ? {} : { preKey }),
          kyberPreKey,
        };
      }),
    };
  }

  private async uploadKeys(me: { userId: string; deviceId: number }, body: unknown): Promise<void> {
    const request = parseOr400(UploadKeysRequestSchema, body);
    await this.checkDeviceKeys(this.account(me.userId).identityKey, request);
    const device = this.device(me.userId, me.deviceId);
    if (request.signedPreKey) device.signedPreKey = request.signedPreKey;
    if (request.kyberLastResortPreKey) device.kyberLastResortPreKey = request.kyberLastResortPreKey;
    device.oneTimePreKeys.push(...(request.oneTimePreKeys ?? []));
    device.kyberOneTimePreKeys.push(...(request.kyberOneTimePreKeys ?? []));
  }

  private removeDevice(me: { userId: string; deviceId: number }, deviceId: number): void {
    if (deviceId === me.deviceId) throw new HttpError(400, 'cannot_remove_self', 'a device cannot remove itself');
    const device = this.device(me.userId, deviceId);
    this.account(me.userId).devices.delete(deviceId);
    this.tokens.delete(device.token);
    device.connection?.socket.closeFromServer(RELAY_CLOSE.deviceRemoved, 'device removed');
  }

  private requestLink(body: unknown) {
    let request = parseOr400(LinkRequestSchema, body);
    if (this.tamperLinkRequest) request = this.tamperLinkRequest(request);
    const code = this.linkCodes.get(request.linkId);
    if (code === undefined || code.used) throw new HttpError(404, 'link_not_found', 'no such link');
    if (this.now() > code.expiresAt) throw new HttpError(410, 'link_expired', 'link expired');
    code.used = true;
    const requestId = randomId();
    this.linkRequests.set(requestId, { linkId: request.linkId, userId: code.userId, expiresAt: code.expiresAt, provisioned: null, waiters: [] });
    const device = this.account(code.userId).devices.get(code.deviceId);
    if (device) this.push(device, { t: 'link-request', linkId: request.linkId, requestId, ephemeralPublicKey: request.ephemeralPublicKey, mac: request.mac });
    return { requestId };
  }

  private provisionLink(me: { userId: string; deviceId: number }, requestId: string, body: unknown): void {
    const { envelope } = parseOr400(LinkProvisionSchema, body);
    const request = this.linkRequests.get(requestId);
    if (request === undefined || request.userId !== me.userId) throw new HttpError(404, 'link_not_found', 'no such link request');
    const provisioningToken = randomToken();
    this.provisioningTokens.set(provisioningToken, { userId: me.userId, used: false });
    request.provisioned = { envelope, provisioningToken };
    for (const wake of request.waiters.splice(0)) wake();
  }

  private async pollLink(requestId: string): Promise<{ envelope: string; provisioningToken: string } | null> {
    const request = this.linkRequests.get(requestId);
    if (request === undefined) throw new HttpError(404, 'link_not_found', 'no such link request');
    if (this.now() > request.expiresAt) throw new HttpError(410, 'link_expired', 'link expired');
    if (request.provisioned === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.longPollMs);
        request.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return request.provisioned;
  }

  private async completeLink(body: unknown) {
    const request = parseOr400(CompleteLinkRequestSchema, body);
    const provisioning = this.provisioningTokens.get(request.provisioningToken);
    if (provisioning === undefined || provisioning.used) throw new HttpError(404, 'link_not_found', 'unknown provisioning token');
    provisioning.used = true;
    const account = this.account(provisioning.userId);
    await this.checkDeviceKeys(account.identityKey, parseOr400(DeviceKeysSchema, request.device));
    const device = this.addDevice(account, request.device);
    return { userId: account.userId, deviceId: device.deviceId, token: device.token };
  }

  // ── relay ───────────────────────────────────────────────────────────────────────────────────

  private receiveFrame(connection: FakeConnection, data: string): void {
    const parsed = ClientFrameSchema.safeParse(JSON.parse(data));
    if (!parsed.success) return connection.socket.closeFromServer(RELAY_CLOSE.badFrame, 'bad frame');
    const frame = parsed.data;
    if (connection.device === null) {
      if (frame.t !== 'auth') return connection.socket.closeFromServer(RELAY_CLOSE.badFrame, 'auth first');
      const device = this.tokens.get(frame.token);
      if (device === undefined) return connection.socket.closeFromServer(RELAY_CLOSE.authFailed, 'unknown token');
      const state = this.device(device.userId, device.deviceId);
      state.connection?.socket.closeFromServer(RELAY_CLOSE.replaced, 'replaced');
      state.connection = connection;
      connection.device = device;
      state.lastSeenAt = this.now();
      this.sendTo(connection, { t: 'ready', userId: device.userId, deviceId: device.deviceId });
      // Everything still unacked goes out again, oldest first.
      if (!state.paused) for (const envelope of state.queue) this.sendTo(connection, envelope.frame);
      return;
    }
    const me = connection.device;
    switch (frame.t) {
      case 'auth':
        return connection.socket.closeFromServer(RELAY_CLOSE.badFrame, 'auth twice');
      case 'ping':
        return this.sendTo(connection, { t: 'pong' });
      case 'ack': {
        const device = this.account(me.userId).devices.get(me.deviceId);
        const acked = device?.queue.find((envelope) => envelope.frame.id === frame.id);
        if (device && acked) {
          this.onAck?.(me, acked);
          device.queue = device.queue.filter((envelope) => envelope !== acked);
        }
        return;
      }
      case 'send':
        return this.sendTo(connection, this.relaySend(me, frame));
    }
  }

  private relaySend(me: { userId: string; deviceId: number }, frame: SendFrame): ServerFrame {
    this.sends.push(frame);
    const result = (fields: Partial<Extract<ServerFrame, { t: 'result' }>>): ServerFrame => ({ t: 'result', ref: frame.id, ok: false, ...fields });
    const idempotencyKey = `${me.userId}.${me.deviceId}/${frame.id}`;
    if (this.acceptedSends.has(idempotencyKey)) return result({ ok: true });
    const account = this.accounts.get(frame.to);
    if (account === undefined) return result({ code: 'unknown_user', message: 'no such user' });
    const expected = [...account.devices.keys()].filter((id) => !(frame.to === me.userId && id === me.deviceId));
    const given = frame.messages.map((m) => m.deviceId);
    const missing = expected.filter((id) => !given.includes(id));
    const extra = given.filter((id) => !expected.includes(id));
    const staleSet = this.staleOnce.get(frame.to);
    const stale = given.filter((id) => staleSet?.has(id));
    if (missing.length > 0 || extra.length > 0 || stale.length > 0) {
      for (const id of stale) staleSet?.delete(id);
      return result({ code: 'devices_changed', message: 'devices changed', missing, extra, stale });
    }
    const limit = this.queueLimit;
    if (limit !== null && frame.messages.some((m) => account.devices.get(m.deviceId)!.queue.length >= limit)) {
      return result({ code: 'queue_full', message: 'A recipient device has too many undelivered messages; nothing was queued.' });
    }
    this.acceptedSends.add(idempotencyKey);
    const serverTimestamp = this.now();
    for (const message of frame.messages) {
      const device = account.devices.get(message.deviceId)!;
      const envelope: QueuedEnvelope = {
        frame: {
          t: 'deliver',
          id: randomId(),
          messageId: frame.id,
          from: { userId: me.userId, deviceId: me.deviceId },
          type: message.type,
          ciphertext: message.ciphertext,
          serverTimestamp,
        },
      };
      device.queue.push(envelope);
      if (!device.paused && device.connection) this.sendTo(device.connection, envelope.frame);
    }
    return result({ ok: true });
  }

  private push(device: FakeDevice, frame: ServerFrame): void {
    if (device.connection) this.sendTo(device.connection, frame);
  }

  private sendTo(connection: FakeConnection, frame: ServerFrame): void {
    connection.socket.deliver(JSON.stringify(frame));
  }

  private disconnect(connection: FakeConnection): void {
    if (connection.device === null) return;
    const device = this.accounts.get(connection.device.userId)?.devices.get(connection.device.deviceId);
    if (device?.connection === connection) device.connection = null;
  }

  // ── lookups ─────────────────────────────────────────────────────────────────────────────────

  private account(userId: string): FakeAccount {
    const account = this.accounts.get(userId);
    if (account === undefined) throw new HttpError(404, 'user_not_found', 'no such user');
    return account;
  }

  private accountByHandle(handle: string): FakeAccount {
    const account = [...this.accounts.values()].find((a) => a.handle === handle.toLowerCase());
    if (account === undefined) throw new HttpError(404, 'user_not_found', 'no such user');
    return account;
  }

  private device(userId: string, deviceId: number): FakeDevice {
    const device = this.account(userId).devices.get(deviceId);
    if (device === undefined) throw new HttpError(404, 'device_not_found', 'no such device');
    return device;
  }
}

function parseOr400<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, 'bad_request', 'request fails its schema');
  return parsed.data;
}
