import type { Session } from '@parley/contracts';
import type { Messenger } from '@parley/messenger';
import type { DeviceEntry, PendingLink, SettingsActions } from '../screens/SettingsPanel.js';
import type { DeviceCredentials } from '../storage/credentials-store.js';
import type { DeviceDatabase } from '../storage/device-database.js';
import { IndexedDbGroupStore } from '../storage/indexeddb-group-store.js';
import { IndexedDbHistoryStore } from '../storage/indexeddb-history-store.js';
import { EarlyMessenger } from './early-messenger.js';

/**
 * What the signed-in shell shows before its device session has started (issue 20): who is signed
 * in, the chat's messenger reading this device's stores, and settings that act once the session is
 * there. Nothing here loads the protocol; `sessionStarted` hands everything over.
 */
export interface EarlyShell {
  readonly credentials: DeviceCredentials;
  readonly session: Session;
  readonly messenger: EarlyMessenger;
  readonly settings: SettingsActions;
  /**
   * Resolves once the chat shows the conversation list (painted), once the shell knows no chat
   * will show, or after EARLY_SESSION_WAIT_MS at most: the device session's downloads start then
   * (issue 20).
   */
  readonly chatShown: Promise<void>;
  /** The shell says no chat will show (none in the manifest, or a guest). */
  noChat(): void;
  /** The device session is running: the messenger and the settings become its own. */
  sessionStarted(real: { readonly messenger: Messenger; readonly settings: SettingsActions }): void;
}

/**
 * The longest the device session waits for the chat to show before it starts anyway: messages
 * arrive and calls ring only once it runs, so a chat that never settles must not hold it back.
 */
export const EARLY_SESSION_WAIT_MS = 3_000;

/** Resolves after the next frame has been painted (what the list's delivery rendered is on screen). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(resolve, 0));
    else setTimeout(resolve, 0);
  });
}

/**
 * The early shell of a signed-in (not guest) device, over its opened database. `maxWaitMs`: how long
 * the device session waits at most for the chat's list (tests lengthen it to see what else releases it).
 */
export function earlyShell(db: DeviceDatabase, credentials: DeviceCredentials, maxWaitMs = EARLY_SESSION_WAIT_MS): EarlyShell {
  const { userId, deviceId, handle, displayName } = credentials;
  const messenger = new EarlyMessenger({ userId, deviceId, handle, displayName }, { history: new IndexedDbHistoryStore(db), groups: new IndexedDbGroupStore(db) });
  let noChat = () => {};
  const chatShown = new Promise<void>((resolve) => {
    noChat = resolve;
    setTimeout(resolve, maxWaitMs);
    void messenger.firstListDelivered.then(afterPaint).then(resolve);
  });
  let settingsReady: (settings: SettingsActions) => void = () => {};
  const ready = new Promise<SettingsActions>((resolve) => (settingsReady = resolve));
  const settings: SettingsActions = {
    listDevices: async (): Promise<readonly DeviceEntry[]> => (await ready).listDevices(),
    removeDevice: async (id) => (await ready).removeDevice(id),
    startLinking: async (): Promise<PendingLink> => (await ready).startLinking(),
    sendHistory: async (id, months) => (await ready).sendHistory(id, months),
    signOut: async () => (await ready).signOut(),
  };
  return {
    credentials,
    session: { userId, displayName, temporary: false },
    messenger,
    settings,
    chatShown,
    noChat: () => noChat(),
    sessionStarted(real) {
      messenger.handOver(real.messenger);
      settingsReady(real.settings);
    },
  };
}
