/**
 * A browser test page for the whole call app without accounts or a server (e2e/tests/call-app.spec.ts
 * builds it into a temporary folder): two users' call apps side by side, each with its own bus, the
 * real engine, UI and WebRTC media with SFrame, their signaling carried by an in-page fake network
 * (@parley/call-engine/testing) and their timers on a manual clock. Not part of the app.
 */
import { type CallEntry, type RemoteProps } from '@parley/contracts';
// The shell puts the design tokens on the page; this page stands in for it.
import '@parley/design-tokens/tokens.css';
import '../call.css';
import { EventBus } from '@parley/event-bus';
import { ObservableScope } from '@parley/event-bus/scope';
import { render } from 'solid-js/web';
import { CallPanel } from '../CallPanel.jsx';
import { createCallStore } from '../call-store.js';
import { FakeSignalingNetwork } from '@parley/call-engine/testing';
import { ManualClock } from '@parley/clock/testing';
import { RtcCallMedia } from '../media/call-media.js';
import { type InboundSummary, inboundSummary } from '../media/testing/media-lab-support.js';
import { startSFrameWorker } from '../media/sframe-worker-client.js';

const params = new URLSearchParams(location.search);
const locale = params.get('locale') ?? 'en-US';
// Two apps share this page: a modal ring on one side would make the other inert, so dialogs stay
// in place unless a test asks for the app's real, modal ones (`?modal=1`, one side at a time).
const modal = params.get('modal') === '1';
// `?full=bob`: one side takes the whole window as the shell's stage would (the other is there, unseen).
const full = params.get('full');
const clock = new ManualClock(Date.now());
const network = new FakeSignalingNetwork();
const people = { alice: 'Alice', bob: 'Bob' } as const;
type Who = keyof typeof people;

const apps = {} as Record<Who, { bus: EventBus; store: ReturnType<typeof createCallStore<RtcCallMedia>>; entries: CallEntry[] }>;
let callIds = 0;

for (const who of Object.keys(people) as Who[]) {
  const bus = new EventBus();
  const scope = new ObservableScope();
  const entries: CallEntry[] = [];
  bus.on('call.entry').subscribe((entry) => entries.push(entry));
  const store = createCallStore<RtcCallMedia>(bus, scope, {
    self: { userId: who, deviceId: 1, displayName: people[who] },
    channel: network.channel(who, 1),
    clock,
    newCallId: () => `${String(++callIds).padStart(4, '0')}-${who}`,
    createMedia: ({ role, media }) => new RtcCallMedia({ role, media, startWorker: startSFrameWorker }),
  });
  apps[who] = { bus, store, entries };
  const host = document.createElement('div');
  host.id = who;
  // Each side a stage of its own: `contain: layout` keeps its fixed-position parts (the floating call
  // bar) inside it, as the shell's slot would.
  host.style.cssText = full
    ? full === who
      ? 'height:100vh;box-sizing:border-box;padding:8px'
      : 'position:absolute;left:0;top:0;width:1px;height:1px;overflow:hidden;visibility:hidden;contain:layout'
    : 'display:inline-block;vertical-align:top;width:48%;height:calc(100vh - 24px);box-sizing:border-box;border:1px solid #ccc;margin:2px;padding:4px;contain:layout;overflow:auto';
  document.body.append(host);
  if (full) document.body.style.margin = '0';
  const props: RemoteProps = { locale, session: { userId: who, displayName: people[who], temporary: false } };
  render(() => <CallPanel store={store} remote={props} modal={modal} />, host);
}

/** What the tests drive and read. */
const lab = {
  /** The chat's "Voice call" / "Video call" button of `from`. */
  call(from: Who, media: 'audio' | 'video') {
    const to: Who = from === 'alice' ? 'bob' : 'alice';
    apps[from].bus.publish('call.requested', { conversationId: to, peer: { userId: to, displayName: people[to] }, media });
  },
  entries: (who: Who) => apps[who].entries,
  advance: (ms: number) => clock.advance(ms),
  corruptKeyOf: (who: Who) => apps[who].store.state.media?.corruptPeerKey!(),
  /** Tells `who`'s engine its media failed, as ICE does after a network loss (the path itself stays up). */
  simulateMediaFailure(who: Who) {
    const session = apps[who].store.state.media as unknown as { connection: { next(state: string): void } } | null;
    session?.connection.next('failed');
  },
  /** The SFrame worker's frame counters of `who`'s call, per transform. */
  counters(who: Who) {
    let counters: unknown[] = [];
    apps[who].store.state.media?.counters$.subscribe((value) => (counters = [...value])).unsubscribe();
    return counters;
  },
  /** Kinds of the signals carried so far. */
  signalKinds: () => network.log.map((carried) => carried.signal.kind),
  /** The ICE username fragment `who` uses now. */
  iceUfrag: (who: Who) => /a=ice-ufrag:(\S+)/.exec(apps[who].store.state.media?.pc.localDescription?.sdp ?? '')?.[1] ?? null,
  /**
   * What one side's video sender captures (media-source) and encodes (outbound-rtp): WebRTC may
   * encode below the camera's size when the CPU or bandwidth is short.
   */
  async outboundVideo(who: Who) {
    const session = apps[who].store.state.media;
    const out = { sourceWidth: 0, sourceHeight: 0, frameWidth: 0, frameHeight: 0 };
    if (!session) return out;
    (await session.pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.kind !== 'video') return;
      if (stat.type === 'media-source' && Number(stat.width ?? 0) > 0) {
        out.sourceWidth = Number(stat.width);
        out.sourceHeight = Number(stat.height ?? 0);
      }
      if (stat.type === 'outbound-rtp' && Number(stat.frameWidth ?? 0) > 0) {
        out.frameWidth = Number(stat.frameWidth);
        out.frameHeight = Number(stat.frameHeight ?? 0);
      }
    });
    return out;
  },
  /** Inbound RTP of one side's call: what its receivers decoded. */
  async inbound(who: Who) {
    const session = apps[who].store.state.media;
    const out: Record<string, InboundSummary> = {};
    if (!session) return out;
    (await session.pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.type === 'inbound-rtp') out[String(stat.kind)] = inboundSummary(stat);
    });
    return out;
  },
};

(window as unknown as { callLab: typeof lab }).callLab = lab;
document.documentElement.lang = locale.slice(0, 2);
document.title = 'call lab ready';
