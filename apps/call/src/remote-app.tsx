import { IDLE_CALL_STATE, type CallPresentationMode, NO_CALL_PRESENTATION, type MountArgs, type MountElement, type RemoteApp, type RemoteModule, type RemoteProps } from '@parley/contracts';
import { bus, busEvaluations } from '@parley/event-bus';
import { ObservableScope } from '@parley/event-bus/scope';
import { type CallServices, callServices, type Messenger, messenger } from '@parley/messenger';
import { type RelayConnection, relayConnection } from '@parley/signaling';
import { EMPTY, Observable, map } from 'rxjs';
import { createSignal } from 'solid-js';
import { render as solidRender } from 'solid-js/web';
import './call.css';
import { CallPanel } from './CallPanel.jsx';
import { createCallStore } from './call-store.js';
import { createMessengerSignalingChannel } from '@parley/call-engine';
import { systemClock } from '@parley/clock';
import { createGroupCallStore } from './group/group-call-store.js';
import { RtcGroupMedia } from './group/group-media.js';
import { messengerGroupKeyChannel, relaySfuClient } from './group/group-ports.js';
import { createCallLinksStore } from './links/call-links-store.js';
import { CallLinkBook } from './links/link-book.js';
import { RtcCallMedia, newCallConnection } from './media/call-media.js';
import { IceConfigSource } from './media/ice-config.js';
import { startSFrameWorker, warmedUp, workerIntegrityError } from './media/sframe-worker-client.js';
import { WorkerIntegrityNotice } from './ui/WorkerIntegrityNotice.jsx';
import { SparePool } from './media/spare-pool.js';
import { READY_MEDIA_MAX_AGE_MS, ReadyCallerMedia } from './media/ready-caller-media.js';

interface Mounted {
  readonly dispose: () => void;
  readonly scope: ObservableScope;
  readonly setProps: (props: RemoteProps) => void;
}

const mounted = new WeakMap<MountElement, Mounted>();
/** Mounts so far, for the data-call-mount test hook. */
let mountCount = 0;

function pageMessenger(): Messenger | null {
  try {
    return messenger();
  } catch {
    console.warn('[call] no messenger on this page: calls cannot reach anyone');
    return null;
  }
}

/** What a shell older than the call services keeps on its messenger instead (before the messenger split). */
type MessengerWithCallServices = Messenger & {
  turnCredentials?: CallServices['turn']['turnCredentials'];
  callLinks?: () => CallServices['callLinks'];
};

function pageCallServices(signaling: Messenger | null): CallServices | null {
  try {
    // An older shell's shared messenger module has no `callServices` at all: calling it throws too.
    return callServices();
  } catch {
    // That shell still serves them from its messenger (version-skew.spec.ts): TURN and call links keep working.
    const legacy = signaling as MessengerWithCallServices | null;
    if (!legacy?.turnCredentials || !legacy.callLinks) return null;
    const turnCredentials = legacy.turnCredentials.bind(legacy);
    return { turn: { turnCredentials }, callLinks: legacy.callLinks() };
  }
}

/**
 * Tells the shell how much of the page the call needs. A shell older than `call.presentation` has a
 * bus that throws on an event it does not know: it keeps its fixed call column, and the call works
 * in it (version-skew.spec.ts), so the request is simply not made there.
 */
function publishPresentation(mode: CallPresentationMode): void {
  try {
    // A fresh object each time: the bus ignores a value identical to the current one.
    bus.set('call.presentation', { mode });
  } catch {
    // An older shell: see above.
  }
}

/**
 * "Call links" asked for from outside the app (the chat's menus), and whether to offer it at all
 * (`call.links-available`). A shell older than these events has a bus that throws on them: nobody
 * there can ask (the chat offers the item only while this app says it can answer), so nothing is
 * heard and nothing is said.
 */
function linkRequests(available: boolean): Observable<unknown> {
  try {
    bus.set('call.links-available', available);
    return available ? bus.on('call.links-requested') : EMPTY;
  } catch {
    // An older shell: see above.
    return EMPTY;
  }
}

/** Withdraws the offer of "Call links" when the app goes (a no-op on an older shell's bus, see linkRequests). */
function withdrawLinks(): void {
  try {
    bus.set('call.links-available', false);
  } catch {
    // An older shell: see linkRequests.
  }
}

function pageRelay(): RelayConnection | null {
  try {
    return relayConnection();
  } catch {
    return null;
  }
}

function propsOf({ dom: _dom, ...props }: MountArgs): RemoteProps {
  return props;
}

/** The call app's mount contract: render twice on one element updates props in place. */
export const app: RemoteApp = {
  render(args) {
    const existing = mounted.get(args.dom);
    if (existing) {
      existing.setProps(propsOf(args));
      return;
    }
    const element = args.dom as unknown as HTMLElement;
    const scope = new ObservableScope();
    const [props, setProps] = createSignal<RemoteProps>(propsOf(args));
    // Code the release does not vouch for never runs next to the keys: no calls, and say so.
    const integrityError = workerIntegrityError();
    if (integrityError) {
      console.error(`[call] calls are off: ${integrityError.message}`);
      const dispose = solidRender(() => <WorkerIntegrityNotice code={integrityError.code} locale={props().locale} />, element);
      mounted.set(args.dom, { dispose, scope, setProps });
      bus.set('call.available', false);
      return;
    }
    const session = props().session;
    // Call signaling travels Signal-encrypted through the page's one messenger, which the shell
    // provides before it mounts any remote. Only the standalone development page has none: it can
    // show the UI but reaches nobody.
    const signaling = pageMessenger();
    // TURN credentials and call links are the shell's services (they hold the device token);
    // TURN is asked now, so a call never waits for it.
    const services = pageCallServices(signaling);
    const turnCredentials = services ? () => services.turn.turnCredentials() : null;
    const ice = new IceConfigSource(turnCredentials, Date.now, (message) => console.warn(`[call] ${message}`));
    void ice.current();
    const self = { userId: session.userId, deviceId: signaling?.self.deviceId ?? 0, displayName: session.displayName };
    const channel = createMessengerSignalingChannel(bus, signaling);
    const workers = new SparePool(startSFrameWorker, 'terminate', { onSpare: warmedUp });
    workers.warm();
    const startWorker = () => workers.take();
    const ready = new ReadyCallerMedia({
      make: (media) => new RtcCallMedia({ role: 'caller', media, startWorker: () => warmedUp(startSFrameWorker()), iceConfig: ice.current() }),
      busy: () => workers.busy,
    });
    ready.warm();
    const refresh = setInterval(() => ready.warm(), READY_MEDIA_MAX_AGE_MS);
    const networkChanged = () => ready.discard();
    const connection = (navigator as { connection?: EventTarget }).connection;
    window.addEventListener('online', networkChanged);
    connection?.addEventListener('change', networkChanged);
    // The callee's connection, made ahead: an incoming offer is applied at once.
    const connections = new SparePool(() => newCallConnection(), 'close', { busy: () => workers.busy || ready.busy });
    connections.warm();
    // Test builds only: a browser test shortens the ring (`window.parleyRingTimeoutMs`), so a missed call takes seconds.
    const ringTimeoutMs = typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__ ? (globalThis as { parleyRingTimeoutMs?: number }).parleyRingTimeoutMs : undefined;
    const store = createCallStore(bus, scope, {
      self,
      channel,
      ...(ringTimeoutMs !== undefined ? { ringTimeoutMs } : {}),
      newCallId: () => crypto.randomUUID(),
      createMedia: ({ role, media }) =>
        (role === 'caller' ? ready.take(media) : null) ?? new RtcCallMedia({ role, media, startWorker, iceConfig: ice.current(), ...(role === 'callee' ? { connection: connections.take() } : {}) }),
    });
    const groups = createGroupCallStore(bus, scope, {
      self,
      sfu: relaySfuClient(pageRelay()),
      keys: messengerGroupKeyChannel(bus, signaling),
      ringChannel: channel,
      incomingSignals$: bus.on('content.call-signaling').pipe(map(({ from, content }) => ({ callId: content.callId, from, signal: content.signal }))),
      createMedia: (media) => new RtcGroupMedia({ media, startWorker, iceConfig: ice.current() }),
      clock: systemClock,
      oneToOne: {
        current: () => {
          const call = store.state.call;
          if ((call.phase !== 'connecting' && call.phase !== 'active') || !call.callId || !call.peer || !call.media) return null;
          return { callId: call.callId, conversationId: call.conversationId, peer: call.peer, media: call.media };
        },
        end: () => {
          store.hangUp();
          store.dismiss();
        },
      },
      links: services?.callLinks ?? null,
      ...(signaling
        ? {
            findUser: async (handle: string) => {
              const { peer } = await signaling.findUser(handle);
              return { userId: peer.userId, displayName: peer.displayName };
            },
          }
        : {}),
    });
    // After the stores': their calls end (and reach the bus) before the spares go.
    scope.onEnd(() => {
      clearInterval(refresh);
      window.removeEventListener('online', networkChanged);
      connection?.removeEventListener('change', networkChanged);
      ready.stop();
      workers.stop();
      connections.stop();
    });
    const linkApi = services?.callLinks ?? null;
    const links = linkApi ? createCallLinksStore(linkApi, new CallLinkBook(window.localStorage, session.userId), window.location.origin) : null;
    // A test hook (a remount would show as a higher count): production builds drop it as dead code.
    if (typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__) element.dataset.callMount = String(++mountCount);
    // The shell lays the page out from `call.presentation`: the stage while a call is on screen, an
    // overlay for a ring or a minimised call, nothing otherwise.
    const linksRequests = linkRequests(links !== null);
    const dispose = solidRender(
      () => <CallPanel store={store} groups={groups} links={links} remote={props()} linksRequests={linksRequests} onPresentation={publishPresentation} />,
      element,
    );
    mounted.set(args.dom, { dispose, scope, setProps });
    bus.set('call.available', true);
  },
  destroy({ dom }) {
    const entry = mounted.get(dom);
    if (!entry) return;
    mounted.delete(dom);
    entry.dispose();
    entry.scope.end();
    bus.set('call.available', false);
    withdrawLinks();
    bus.set('call.state', IDLE_CALL_STATE);
    bus.set('call.presentation', NO_CALL_PRESENTATION);
  },
};

/** The call app's release version, shown in the shell's debug panel. */
export const version: RemoteModule['version'] = __CALL_VERSION__;

/** The singletons this bundle imported, so the shell can prove they are the shared ones. */
export const probe: RemoteModule['probe'] = () => ({ bus, Observable, busEvaluations: busEvaluations() });
