// Before anything here parses (this module is the first of the shell's to use zod: see ShellRoot).
import '../zod-without-eval.js';
import type { RelayCloseCause, Session } from '@parley/contracts';
import type { Behavior, EventBus } from '@parley/event-bus';
import {
  callLinkService,
  createAccount,
  groupMemberIds,
  linkDevice,
  MessengerClient,
  type Messenger,
  type MessengerFailure,
  ParleyApiClient,
  provideCallServices,
  provideMessenger,
  ScheduledCalls,
  selfOf,
  type SessionCredentials,
  turnCredentialService,
  withLegacyCallServiceMethods,
  AttachmentTransfer,
} from '@parley/messenger';
import type { IdentityKeyPair, SignalProtocolStore } from '@parley/signal-protocol';
import { provideRelayConnection } from '@parley/signaling';
import type { DeviceEntry, PendingLink, SettingsActions } from '../screens/SettingsPanel.js';
import { CredentialsStore } from '../storage/credentials-store.js';
import { DeviceDatabase, STORES } from '../storage/device-database.js';
import { IndexedDbHistoryStore } from '../storage/indexeddb-history-store.js';
import { IndexedDbScheduledCallStore } from '../storage/indexeddb-scheduled-call-store.js';
import { IndexedDbGroupStore } from '../storage/indexeddb-group-store.js';
import { IndexedDbSignalStore, type SignalStoreOptions } from '@parley/signal-protocol/indexeddb';
import { createRelay } from './relay.js';

/** A signed-in device: its credentials and Signal store, both from IndexedDB. */
export interface SignedInDevice {
  readonly credentials: SessionCredentials;
  readonly store: SignalProtocolStore;
}

/** What the shell runs while this tab is the active one on a signed-in device. */
export interface DeviceSession {
  readonly credentials: SessionCredentials;
  readonly session: Session;
  readonly settings: SettingsActions;
  /** Why the server last closed the relay connection, until it is back (the header words it). */
  readonly relayCloseCause: Behavior<RelayCloseCause | null>;
  /** The messenger this session provided to chat and call, for the shell's notifications. */
  readonly messenger: Messenger;
  /** Closes the relay and withdraws the messenger and relay from chat and call. */
  stop(): void;
}

type Place = Pick<Location, 'origin' | 'protocol' | 'host'>;

/** How often the settings panel looks for the newly linked device while it shows a code. */
const LINK_POLL_MS = 1500;

/**
 * A store is opened per activation of this tab, and with Web Locks only the tab holding the
 * active-tab lock is active (bootstrap.tsx, tab-lock.ts): it is the only writer, so it may keep
 * session records and identities in memory. Without Web Locks every tab is active: no cache.
 */
const SIGNAL_STORE_OPTIONS: SignalStoreOptions = { cacheRecords: typeof navigator !== 'undefined' && navigator.locks !== undefined };

function apiClient(place: Place, token?: string): ParleyApiClient {
  return new ParleyApiClient({ baseUrl: place.origin, fetch: (input, init) => fetch(input, init), token });
}

// Every store of the Signal protocol and the history: cleared before a new identity is written,
// so a failed earlier attempt (or another account's data) leaves nothing behind.
const DEVICE_STORES = [
  STORES.identities,
  STORES.sessions,
  STORES.preKeys,
  STORES.signedPreKeys,
  STORES.kyberPreKeys,
  STORES.kyberPreKeyUses,
  STORES.senderKeys,
  STORES.messages,
  STORES.contacts,
  STORES.meta,
];

/** The signed-in device on an opened database: its credentials and Signal store, or null when the store holds no identity. */
export async function signedInDevice(db: DeviceDatabase, credentials: SessionCredentials): Promise<SignedInDevice | null> {
  const store = await IndexedDbSignalStore.load(db, SIGNAL_STORE_OPTIONS);
  return store ? { credentials, store } : null;
}

async function freshStore(db: DeviceDatabase) {
  await db.clear(DEVICE_STORES);
  return (identity: IdentityKeyPair, registrationId: number) => IndexedDbSignalStore.create(db, identity, registrationId, SIGNAL_STORE_OPTIONS);
}

/** Onboarding: a new account with this browser as its first device; keys go into IndexedDB. */
export async function createAccountHere(db: DeviceDatabase, handle: string, displayName: string, place: Place): Promise<SignedInDevice> {
  const setup = await createAccount({ api: apiClient(place), createStore: await freshStore(db), handle, displayName });
  await new CredentialsStore(db).save(setup.credentials);
  return setup;
}

/**
 * A guest who opened a call link without an account: a temporary account (no handle) with real
 * keys, so the call's media keys reach it over Signal like anyone's. Removed when the guest leaves.
 */
export async function createGuestHere(db: DeviceDatabase, displayName: string, place: Place): Promise<SignedInDevice> {
  const setup = await createAccount({ api: apiClient(place), createStore: await freshStore(db), handle: null, displayName });
  await new CredentialsStore(db).save(setup.credentials);
  return setup;
}


/** The guest left: the server forgets the temporary account, this browser its keys and history. */
export async function removeGuestHere(db: DeviceDatabase, credentials: SessionCredentials, place: Place): Promise<void> {
  try {
    await apiClient(place, credentials.token).deleteSelf();
  } finally {
    await db.clear(DEVICE_STORES);
  }
}

/** "Link this browser": joins an existing account with the code its other device shows. */
export async function linkThisBrowser(db: DeviceDatabase, code: string, place: Place): Promise<SignedInDevice> {
  const setup = await linkDevice({ api: apiClient(place), code, createStore: await freshStore(db) });
  await new CredentialsStore(db).save(setup.credentials);
  return setup;
}

/**
 * Starts the device session: the messenger over the IndexedDB stores and the one relay connection
 * authenticated with the device token, both provided to chat and call. `onRemoved` hears that the
 * server dropped this device from its account; `onSignedOut` that the user signed out here.
 */
export async function startDeviceSession(
  db: DeviceDatabase,
  device: SignedInDevice,
  bus: EventBus,
  place: Place,
  onRemoved: () => void = () => {},
  onSignedOut: () => void = onRemoved,
): Promise<DeviceSession> {
  const { credentials, store } = device;
  const api = apiClient(place, credentials.token);
  let messenger: MessengerClient | null = null;
  const history = new IndexedDbHistoryStore(db, { cacheContacts: SIGNAL_STORE_OPTIONS.cacheRecords ?? false });
  const relay = createRelay({
    token: credentials.token,
    bus,
    location: place,
    // The relay connects only once the messenger exists (below), so these never see null.
    decrypt: (frame, early) => messenger!.decrypt(frame, early),
    onControlFrame: (frame) => messenger!.handleControlFrame(frame),
  });
  // A removed device hears it as the relay closing with `device-removed`, or, when it was offline
  // then, as its token refused (`auth-failed`). Other failures nobody awaits go to the console for
  // developers (their messages carry no text, ciphertext or key).
  const watch = relay.errors$.subscribe((error) => {
    if (error.code === 'auth-failed' || error.code === 'device-removed') onRemoved();
    else console.warn(`[shell] relay: ${error.code}: ${error.message}`);
  });
  const warnFailure = (failure: MessengerFailure) => console.warn(`[shell] messenger: ${failure.code}: ${failure.message}`);
  const self = selfOf(credentials);
  // TURN credentials and call links for the call app: small services of their own, not the messenger's.
  const callServices = { turn: turnCredentialService(api), callLinks: callLinkService(api) };
  const groups = new IndexedDbGroupStore(db);
  // Scheduled calls travel as messenger content; the messenger keeps what arrives through them.
  const scheduledCalls = new ScheduledCalls({
    self,
    store: new IndexedDbScheduledCallStore(db),
    sendContent: (toUserId, content) => messenger!.sendContent(toUserId, content),
    groupMembers: groupMemberIds(groups),
    callLinks: callServices.callLinks,
    onFailure: warnFailure,
  });
  // Attachments go to this server's blob API, same-origin like every other API call.
  const attachments = new AttachmentTransfer({ baseUrl: place.origin, token: () => credentials.token });
  messenger = await MessengerClient.open({ self, api, store, history, relay, groups, scheduledCalls, attachments });
  watch.add(messenger.failures$.subscribe(warnFailure));
  const withdrawRelay = provideRelayConnection(relay);
  const provided = withLegacyCallServiceMethods(messenger, callServices);
  const withdrawMessenger = provideMessenger(provided);
  const withdrawCallServices = provideCallServices(callServices);
  const session: Session = { userId: credentials.userId, displayName: credentials.displayName, temporary: false };
  bus.set('session.current', session);
  relay.connect();

  const listDevices = async (): Promise<readonly DeviceEntry[]> => (await api.listDevices()).devices;
  /** The polls of link codes being shown, each as its cancel. */
  const linkPolls = new Set<() => void>();
  const settings: SettingsActions = {
    listDevices,
    removeDevice: (deviceId) => api.removeDevice(deviceId),
    signOut: async () => {
      // The server drops this device (its token, prekeys and queue). Unreachable, it keeps them
      // until another device removes this one: the browser forgets everything all the same.
      await api.removeThisDevice().catch((error: unknown) => console.warn(`[shell] the server did not hear of the sign-out: ${String(error)}`));
      onSignedOut();
    },
    startLinking: async (): Promise<PendingLink> => {
      const known = new Set((await listDevices()).map((d) => d.deviceId));
      const { code, expiresAt } = await messenger!.createLinkCode();
      let cancel = () => {};
      // The messenger provisions the new device when its request arrives over the relay; the
      // panel learns it is done when the account lists a device it did not have.
      const linked = new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          if (Date.now() > expiresAt) {
            cancel();
            reject(new Error('link code expired'));
            return;
          }
          listDevices().then(
            (devices) => {
              const added = devices.find((d) => !known.has(d.deviceId));
              if (added !== undefined) {
                cancel();
                resolve(added.deviceId);
              }
            },
            () => {},
          );
        }, LINK_POLL_MS);
        // Also when the session stops (sign-out, this device removed) while a code is shown.
        cancel = () => {
          clearInterval(timer);
          linkPolls.delete(cancel);
        };
        linkPolls.add(cancel);
      });
      return { code, expiresAt, linked, cancel: () => cancel() };
    },
    sendHistory: async (deviceId, months) => (await messenger!.sendRecentHistory(deviceId, months)).messages,
  };

  return {
    credentials,
    session,
    settings,
    relayCloseCause: relay.closeCause,
    messenger: provided,
    stop() {
      watch.unsubscribe();
      for (const cancel of [...linkPolls]) cancel();
      relay.close();
      withdrawMessenger();
      withdrawCallServices();
      withdrawRelay();
      scheduledCalls.close();
      messenger?.close();
      bus.set('session.current', null);
    },
  };
}
