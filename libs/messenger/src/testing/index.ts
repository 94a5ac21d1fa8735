// Test helpers for the messenger and for the shell's tests: an in-process server and devices
// wired exactly as the shell wires them (RelayClient → decrypt / onControlFrame → messenger).
import { AttachmentTransfer } from '../attachment-transfer.js';
import { toBase64 } from '@parley/bytes';
import type { CallEntry } from '@parley/contracts';
import { schedule, type WallClock } from '@parley/clock';
import { ManualClock as TestClock } from '@parley/clock/testing';
import { EventBus } from '@parley/event-bus';
import { IdentityKeyPair, InMemorySignalProtocolStore } from '@parley/signal-protocol';
import { RelayClient, type RelayError, type RelaySocketConstructor } from '@parley/signaling';
import { type AccountSetup, createAccount, type CreateSignalStore, deviceKeysForUpload, generateDeviceKeys, type PreKeyCounts, storeDeviceKeys } from '../account-setup.js';
import { type FetchFunction, ParleyApiClient } from '../api-client.js';
import { linkDevice } from '../device-link.js';
import { callLinkService } from '../call-services.js';
import { groupMemberIds, type GroupStore, InMemoryGroupStore } from '../group-store.js';
import { type HistoryStore, InMemoryHistoryStore } from '../history-store.js';
import type { MessengerFailure } from '../messenger-api.js';
import { MessengerClient } from '../messenger-client.js';
import { selfOf } from '../signal-sessions.js';
import type { ScheduledCall } from '../scheduled-call.js';
import { InMemoryScheduledCallStore, ScheduledCalls, type ScheduledCallStore } from '../scheduled-calls.js';

import { FakeParleyServer } from './fake-parley-server.js';
export { FakeParleyServer, type LinkRequestTamper, type QueuedEnvelope } from './fake-parley-server.js';

/**
 * `@parley/clock`'s ManualClock (start: 14 Nov 2023), also in the `schedule(ms, run)` shape the call
 * app's clock still has; kept here until the call app imports `@parley/clock/testing` itself.
 */
export class ManualClock extends TestClock {
  constructor(start = 1_700_000_000_000) {
    super(start);
  }

  /** Runs `run` once after `ms`; the returned function cancels it. */
  schedule(ms: number, run: () => void): () => void {
    return schedule(this, ms, run);
  }
}

/** Few one-time prekeys, so tests are fast and reach `prekeys-low`. */
export const TEST_PREKEY_COUNTS: PreKeyCounts = { oneTimePreKeys: 12, kyberOneTimePreKeys: 12 };

/** In-memory Signal stores, as the shell's IndexedDB store would be created. */
export const inMemoryStore: CreateSignalStore = (identity, registrationId) => new InMemorySignalProtocolStore(identity, registrationId);

/** One running device: its messenger, relay client, stores, and what went wrong in the background. */
export interface TestDevice {
  readonly setup: AccountSetup;
  readonly messenger: MessengerClient;
  /** The same messenger, named for the group tests (1:1 and groups were two objects once). */
  readonly groups: MessengerClient;
  /** Scheduled calls, built beside the messenger as the shell builds them. */
  readonly scheduledCalls: ScheduledCalls;
  readonly relay: RelayClient;
  readonly bus: EventBus;
  readonly history: HistoryStore;
  readonly failures: MessengerFailure[];
  readonly relayErrors: RelayError[];
  /** Closes the relay connection and the messenger. */
  stop(): void;
}

/**
 * Where test devices connect: the in-process FakeParleyServer, or a real apps/server on loopback
 * given as its base URL, relay URL, `fetch` and a WebSocket class (e.g. `ws`).
 */
export interface ParleyEndpoint {
  readonly baseUrl: string;
  readonly relayUrl: string;
  readonly fetch: FetchFunction;
  readonly WebSocket: RelaySocketConstructor;
}

/** An API client for `server` (without a token unless given). */
export function apiFor(server: ParleyEndpoint, token?: string): ParleyApiClient {
  return new ParleyApiClient({ baseUrl: server.baseUrl, fetch: server.fetch, token });
}

/** Starts a device for an account setup: relay client wired to the messenger, connected. */
export async function startDevice(
  server: ParleyEndpoint,
  setup: AccountSetup,
  options: { history?: HistoryStore; clock?: WallClock; groups?: GroupStore; scheduledCalls?: ScheduledCallStore } = {},
): Promise<TestDevice> {
  const { credentials } = setup;
  const history = options.history ?? new InMemoryHistoryStore();
  const bus = new EventBus();
  const api = apiFor(server, credentials.token);
  const self = selfOf(credentials);
  const groups = options.groups ?? new InMemoryGroupStore();
  const failures: MessengerFailure[] = [];
  let client: MessengerClient | null = null;
  const relay = new RelayClient({
    url: server.relayUrl,
    token: () => credentials.token,
    bus,
    WebSocketImpl: server.WebSocket,
    decrypt: (frame, early) => client!.decrypt(frame, early),
    onControlFrame: (frame) => client!.handleControlFrame(frame),
  });
  const scheduledCalls = new ScheduledCalls({
    self,
    store: options.scheduledCalls ?? new InMemoryScheduledCallStore(),
    // The messenger exists before anything is scheduled or delivered.
    sendContent: (toUserId, content) => client!.sendContent(toUserId, content),
    groupMembers: groupMemberIds(groups),
    callLinks: callLinkService(api),
    onFailure: (failure) => failures.push(failure),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  client = await MessengerClient.open({
    self,
    api,
    store: setup.store,
    history,
    relay,
    groups,
    scheduledCalls,
    preKeyTarget: TEST_PREKEY_COUNTS,
    // The platform's fetch: only a real server on loopback has the blob API.
    attachments: new AttachmentTransfer({ baseUrl: server.baseUrl, token: () => credentials.token }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const relayErrors: RelayError[] = [];
  client.failures$.subscribe((failure) => failures.push(failure));
  relay.errors$.subscribe((error) => relayErrors.push(error));
  relay.connect();
  await new Promise<void>((resolve) => {
    const subscription = relay.status.subscribe((status) => {
      if (status === 'open') {
        queueMicrotask(() => subscription.unsubscribe());
        resolve();
      }
    });
  });
  const messenger = client;
  return {
    setup,
    messenger,
    groups: messenger,
    scheduledCalls,
    relay,
    bus,
    history,
    failures,
    relayErrors,
    stop: () => {
      relay.close();
      scheduledCalls.close();
      messenger.close();
    },
  };
}

/** Creates an account on `server` and starts its first device. */
export async function registerDevice(server: ParleyEndpoint, handle: string, displayName = handle): Promise<TestDevice> {
  const setup = await createAccount({ api: apiFor(server), createStore: inMemoryStore, handle, displayName, preKeyCounts: TEST_PREKEY_COUNTS });
  return startDevice(server, setup);
}

/**
 * The devices a test started, stopped together after it: a suite makes one and calls `stop()` in
 * its `afterEach`.
 */
export class RunningDevices {
  private readonly devices: TestDevice[] = [];

  /** Keeps `devices` to stop after the test. */
  push(...devices: TestDevice[]): void {
    this.devices.push(...devices);
  }

  /** Stops every device kept so far and forgets them. */
  stop(): void {
    for (const device of this.devices.splice(0)) device.stop();
  }

  /**
   * A new fake server with one registered, running device per handle (display name
   * `displayName(handle)`), kept to stop after the test.
   */
  async world(handles: readonly string[], displayName = (handle: string) => handle): Promise<{ server: FakeParleyServer; devices: TestDevice[] }> {
    const server = new FakeParleyServer();
    const devices: TestDevice[] = [];
    for (const handle of handles) devices.push(await registerDevice(server, handle, displayName(handle)));
    this.push(...devices);
    return { server, devices };
  }
}

/** Links a new device to `existing`'s account through a code, and starts it. */
export async function linkNewDevice(server: ParleyEndpoint, existing: TestDevice): Promise<TestDevice> {
  const { code } = await existing.messenger.createLinkCode();
  const setup = await linkDevice({ api: apiFor(server), code, createStore: inMemoryStore, preKeyCounts: TEST_PREKEY_COUNTS });
  return startDevice(server, setup);
}

/**
 * `device`'s person reinstalls: the device stops, and the same account comes back as a new device
 * with a new identity key (what contacts see as an identity change). Returns the new device, started.
 */
export async function reinstallWithNewIdentity(server: FakeParleyServer, device: TestDevice): Promise<TestDevice> {
  device.stop();
  const identity = await IdentityKeyPair.generate();
  const material = await generateDeviceKeys(identity, Date.now(), TEST_PREKEY_COUNTS);
  const store = new InMemorySignalProtocolStore(identity, material.registrationId);
  await storeDeviceKeys(store, material);
  const { credentials } = device.setup;
  const { deviceId, token } = await server.replaceIdentity(credentials.userId, toBase64(identity.publicKey.serialize()), deviceKeysForUpload(material));
  return startDevice(server, { credentials: { ...credentials, deviceId, token }, store });
}

/**
 * A scheduled call for tests: Ada's hour-long "Planning" with Bob from 15:00 UTC on 1 December 2026
 * (Europe/Moscow), revision 1, with `overrides` on top.
 */
export function exampleScheduledCall(overrides: Partial<ScheduledCall> = {}): ScheduledCall {
  return {
    scheduleId: 's-1',
    conversationId: 'u-bob',
    title: 'Planning',
    description: '',
    startsAt: Date.UTC(2026, 11, 1, 15, 0),
    endsAt: Date.UTC(2026, 11, 1, 16, 0),
    timeZone: 'Europe/Moscow',
    linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA',
    organizer: { userId: 'u-ada', displayName: 'Ada' },
    status: 'scheduled',
    revision: 1,
    updatedAt: 1,
    ...overrides,
  };
}

/**
 * A finished call for tests: an incoming, unanswered voice call `callId` in the 1:1 conversation
 * `conversationId` (the peer named after it), outcome `outcome`, with `extra` on top.
 */
export function exampleCallEntry(callId: string, conversationId: string, startedAt: number, outcome: CallEntry['outcome'] = 'missed', extra: Partial<CallEntry> = {}): CallEntry {
  return {
    callId,
    conversationId,
    peer: { userId: conversationId, displayName: conversationId },
    direction: 'incoming',
    media: 'audio',
    outcome,
    startedAt,
    durationMs: null,
    ...extra,
  };
}
