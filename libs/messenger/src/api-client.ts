import {
  type AccountCreated,
  AccountCreatedSchema,
  type CallLink,
  CallLinkListSchema,
  CallLinkSchema,
  type CreateCallLinkRequest,
  type ResetCallLinkRequest,
  type UpdateCallLinkRequest,
  type CompleteLinkRequestSchema,
  type CreateAccountRequest,
  DeviceListSchema,
  LinkCodeSchema,
  LinkProvisionedSchema,
  type LinkRequest,
  PreKeyBundlesSchema,
  type PreKeyBundles,
  PreKeyCountSchema,
  type TurnCredentials,
  TurnCredentialsSchema,
  type UploadKeysRequest,
  type User,
  UserSchema,
} from '@parley/contracts';
import { z } from 'zod';
import { ParleyApiError } from './errors.js';

/** The `fetch` the client calls: the platform's, or a test double. */
export type FetchFunction = (input: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
  readonly status: number;
  text(): Promise<string>;
}>;

/** Where the API lives and how to call it. */
export interface ParleyApiClientOptions {
  /** Origin (and optional path prefix) of the server, e.g. `https://parley.example`. */
  readonly baseUrl: string;
  /** The platform's `fetch` (bound to its global) or a test double. */
  readonly fetch: FetchFunction;
  /** This device's bearer token; absent before account creation and on a new device's side of linking. */
  readonly token?: string | (() => string | undefined) | undefined;
}

export type DeviceList = z.infer<typeof DeviceListSchema>;
export type PreKeyCount = z.infer<typeof PreKeyCountSchema>;
export type LinkCodeIssued = z.infer<typeof LinkCodeSchema>;
export type LinkProvisioned = z.infer<typeof LinkProvisionedSchema>;
export type CompleteLinkRequest = z.infer<typeof CompleteLinkRequestSchema>;

/** Long-poll outcome of a link request on the new device. */
export type LinkPoll = { readonly status: 'waiting' } | ({ readonly status: 'provisioned' } & LinkProvisioned);

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const LinkRequestCreatedSchema = z.object({ requestId: z.string().min(1).max(64) });
const NoContent = z.unknown();

/**
 * Typed client of the accounts API (libs/contracts accounts-api.ts): one method per route, every
 * answer parsed with the contract's schema, every failure a {@link ParleyApiError} with the
 * server's code.
 */
export class ParleyApiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ParleyApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** The same server with another token (after account creation or linking). */
  withToken(token: string | (() => string | undefined)): ParleyApiClient {
    return new ParleyApiClient({ ...this.options, token });
  }

  /** POST /api/accounts: registers the account and its first device. */
  createAccount(request: CreateAccountRequest): Promise<AccountCreated> {
    return this.call('POST', '/api/accounts', AccountCreatedSchema, { body: request, auth: false });
  }

  /** GET /api/users?handle=…; `user_not_found` when nobody has it. */
  findUserByHandle(handle: string): Promise<User> {
    return this.call('GET', `/api/users?handle=${encodeURIComponent(handle)}`, UserSchema);
  }

  /** GET /api/users/:userId. */
  getUser(userId: string): Promise<User> {
    return this.call('GET', `/api/users/${encodeURIComponent(userId)}`, UserSchema);
  }

  /** GET /api/keys/:userId[/:deviceId]: consumes one one-time prekey (EC and Kyber) per device returned. */
  fetchPreKeyBundles(userId: string, deviceId?: number): Promise<PreKeyBundles> {
    const path = `/api/keys/${encodeURIComponent(userId)}${deviceId === undefined ? '' : `/${deviceId}`}`;
    return this.call('GET', path, PreKeyBundlesSchema);
  }

  /** PUT /api/keys: replenishes or rotates this device's prekeys. */
  async uploadKeys(request: UploadKeysRequest): Promise<void> {
    await this.call('PUT', '/api/keys', NoContent, { body: request });
  }

  /** GET /api/keys: this device's remaining one-time prekeys. */
  preKeyCount(): Promise<PreKeyCount> {
    return this.call('GET', '/api/keys', PreKeyCountSchema);
  }

  /** GET /api/devices: this account's devices. */
  listDevices(): Promise<DeviceList> {
    return this.call('GET', '/api/devices', DeviceListSchema);
  }

  /** DELETE /api/devices/:deviceId: removes another device of this account. */
  async removeDevice(deviceId: number): Promise<void> {
    await this.call('DELETE', `/api/devices/${deviceId}`, NoContent);
  }

  /** DELETE /api/devices/self: signs this device out (the account goes too when it was its last device). */
  async removeThisDevice(): Promise<void> {
    await this.call('DELETE', '/api/devices/self', NoContent);
  }

  /** POST /api/link/codes (existing device): a one-use link id, valid 10 minutes. */
  createLinkCode(): Promise<LinkCodeIssued> {
    return this.call('POST', '/api/link/codes', LinkCodeSchema, { body: {} });
  }

  /** POST /api/link/requests (new device, no auth): asks the account's devices to provision it. */
  async requestLink(request: LinkRequest): Promise<string> {
    const { requestId } = await this.call('POST', '/api/link/requests', LinkRequestCreatedSchema, { body: request, auth: false });
    return requestId;
  }

  /** POST /api/link/requests/:requestId/provision (existing device): the encrypted envelope. */
  async provisionLink(requestId: string, envelope: string): Promise<void> {
    await this.call('POST', `/api/link/requests/${encodeURIComponent(requestId)}/provision`, NoContent, { body: { envelope } });
  }

  /** GET /api/link/requests/:requestId (new device, no auth, long-poll): waiting, or the envelope; `link_expired` on 410. */
  async pollLink(requestId: string): Promise<LinkPoll> {
    const { status, json } = await this.request('GET', `/api/link/requests/${encodeURIComponent(requestId)}`, { auth: false });
    if (status === 202) return { status: 'waiting' };
    return { status: 'provisioned', ...parse(LinkProvisionedSchema, json, 'GET /api/link/requests/:requestId') };
  }

  /** POST /api/link/complete (new device): registers it as a device of the account. */
  completeLink(request: CompleteLinkRequest): Promise<AccountCreated> {
    return this.call('POST', '/api/link/complete', AccountCreatedSchema, { body: request, auth: false });
  }

  /** GET /api/turn: TURN credentials for a call, or no ICE servers. */
  turnCredentials(): Promise<TurnCredentials> {
    return this.call('GET', '/api/turn', TurnCredentialsSchema);
  }

  /** POST /api/guests (no auth): a temporary account for someone who opened a call link. */
  createGuest(request: Omit<CreateAccountRequest, 'handle'>): Promise<AccountCreated> {
    return this.call('POST', '/api/guests', AccountCreatedSchema, { body: request, auth: false });
  }

  /** DELETE /api/accounts/self: removes this account (a guest leaving). */
  async deleteSelf(): Promise<void> {
    await this.call('DELETE', '/api/accounts/self', NoContent);
  }

  /** POST /api/call-links: registers a link (its room id and verifier; never its secret). */
  createCallLink(request: CreateCallLinkRequest): Promise<CallLink> {
    return this.call('POST', '/api/call-links', CallLinkSchema, { body: request });
  }

  /** GET /api/call-links: this user's live links. */
  async listCallLinks(): Promise<CallLink[]> {
    return (await this.call('GET', '/api/call-links', CallLinkListSchema)).links;
  }

  /** GET /api/call-links/:roomId, proving the link with its verifier. */
  getCallLink(roomId: string, verifier: string): Promise<CallLink> {
    return this.call('GET', `/api/call-links/${encodeURIComponent(roomId)}`, CallLinkSchema, { headers: { 'x-call-link-verifier': verifier } });
  }

  /** PATCH /api/call-links/:roomId (creator). */
  updateCallLink(roomId: string, change: UpdateCallLinkRequest): Promise<CallLink> {
    return this.call('PATCH', `/api/call-links/${encodeURIComponent(roomId)}`, CallLinkSchema, { body: change });
  }

  /** POST /api/call-links/:roomId/reset (creator): the link moves to a new secret. */
  resetCallLink(roomId: string, next: ResetCallLinkRequest): Promise<CallLink> {
    return this.call('POST', `/api/call-links/${encodeURIComponent(roomId)}/reset`, CallLinkSchema, { body: next });
  }

  /** DELETE /api/call-links/:roomId (creator): revokes it. */
  async revokeCallLink(roomId: string): Promise<void> {
    await this.call('DELETE', `/api/call-links/${encodeURIComponent(roomId)}`, NoContent);
  }

  private async call<T>(method: string, path: string, schema: z.ZodType<T>, options: { body?: unknown; auth?: boolean; headers?: Record<string, string> } = {}): Promise<T> {
    const { json } = await this.request(method, path, options);
    return parse(schema, json, `${method} ${path.split('?')[0]}`);
  }

  private async request(method: string, path: string, options: { body?: unknown; auth?: boolean; headers?: Record<string, string> }): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.auth !== false) {
      const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
      if (!token) throw new ParleyApiError('not_authenticated', `${method} ${path} needs this device's token`);
      headers.authorization = `Bearer ${token}`;
    }
    const init: Parameters<FetchFunction>[1] = { method, headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    let response: Awaited<ReturnType<FetchFunction>>;
    let text: string;
    try {
      response = await this.options.fetch(`${this.baseUrl}${path}`, init);
      text = await response.text();
    } catch (error) {
      throw new ParleyApiError('network', `${method} ${path.split('?')[0]} got no answer: ${error instanceof Error ? error.message : String(error)}`);
    }
    let json: unknown = undefined;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ParleyApiError('invalid_response', `${method} ${path.split('?')[0]} answered ${response.status} with a body that is not JSON`, response.status);
      }
    }
    if (response.status >= 400) {
      const body = ErrorBodySchema.safeParse(json);
      if (body.success) throw new ParleyApiError(body.data.error.code, body.data.error.message, response.status);
      throw new ParleyApiError(`http_${response.status}`, `${method} ${path.split('?')[0]} failed with HTTP ${response.status}`, response.status);
    }
    return { status: response.status, json };
  }
}

function parse<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const paths = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
  throw new ParleyApiError('invalid_response', `${what} answered with a body that fails its schema at ${paths}`);
}
