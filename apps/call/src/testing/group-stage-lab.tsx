/**
 * A browser test page for the group call stage alone (e2e/tests/interface-call.spec.ts): the real
 * GroupCallPanel over a stand-in store of `?n=` participants (2…32), each with a small canvas as its
 * camera, so the layout of many participants is tested without an SFU or 32 browsers; `&presenter=1`:
 * participant 1 shares a screen (a larger canvas), the spotlight. The media and
 * keys of real group calls are tested in group-call.spec.ts. Not part of the app.
 */
// The shell puts the design tokens on the page; this page stands in for it.
import '@parley/design-tokens/tokens.css';
import { BehaviorSubject, NEVER } from 'rxjs';
import { render } from 'solid-js/web';
import '../call.css';
import type { GroupCallStore } from '../group/group-call-store.js';
import type { GroupParticipantView } from '@parley/call-engine';
import type { RtcGroupMedia } from '../group/group-media.js';
import { startSFrameWorker } from '../media/sframe-worker-client.js';
import { messagesFor } from '../messages.js';
import { GroupCallPanel } from '../ui/GroupCallView.js';

const params = new URLSearchParams(location.search);
const count = Math.max(1, Math.min(32, Number(params.get('n') ?? '9')));
const presenterIndex = params.has('presenter') ? Number(params.get('presenter')) : null;
const NAMES = ['Alice Liddell', 'Bob Dylan', 'Carol King', 'Dave Brubeck', 'Erin Brockovich', 'Frank Ocean', 'Grace Hopper', 'Heidi Klum'];

/** A participant's camera: a canvas of their own shade, redrawn now and then so frames flow. */
function canvasCamera(index: number, width = 160, height = 90): MediaStream {
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d')!;
  const draw = () => {
    context.fillStyle = `hsl(${(index * 47) % 360} 40% 40%)`;
    context.fillRect(0, 0, canvas.width, canvas.height);
  };
  draw();
  setInterval(draw, 500);
  return canvas.captureStream(2);
}

const participants: GroupParticipantView[] = Array.from({ length: count }, (_, index) => ({
  index,
  userId: `user-${index}`,
  deviceId: 1,
  publishing: true,
  joinedAt: 0,
  displayName: index === 0 ? 'Me' : `${NAMES[index % NAMES.length]} ${Math.floor(index / NAMES.length) + 1}`,
  self: index === 0,
  talking: index === 1,
  reaction: null,
  muted: index % 3 === 2,
  cameraOn: index % 4 !== 3,
  handRaised: index === 4,
  presenting: index === presenterIndex,
}));
const streams = new Map(participants.filter((p) => !p.self).map((p) => [p.index, canvasCamera(p.index)]));

const media = {
  participantStreams$: new BehaviorSubject<ReadonlyMap<number, MediaStream>>(streams),
  screenStreams$: new BehaviorSubject<ReadonlyMap<number, MediaStream>>(new Map(presenterIndex === null ? [] : [[presenterIndex, canvasCamera(50, 1280, 720)]])),
  localStream$: new BehaviorSubject<MediaStream | null>(canvasCamera(99)),
  decryption$: new BehaviorSubject(new Map()),
  muted$: new BehaviorSubject(false),
  cameraOn$: new BehaviorSubject(true),
};
const layers = new Map<number, number | null>();
const store = {
  state: {
    incoming: null,
    snapshot: { phase: 'active', callId: 'lab', media: 'video', selfIndex: 0, participants, joinedAt: Date.now(), error: null, joinRequests: [], presenter: presenterIndex },
    media,
    linkAdmin: false,
    call: { chooseLayer: (index: number, layer: number | null) => layers.set(index, layer), presentationLost$: NEVER },
    ring: { groupName: 'Lab group', groupId: 'lab-group', callerName: 'Alice Liddell' },
    failure: null,
    names: new Map(),
    available: true,
  },
  now: () => Date.now(),
  setMuted: (muted: boolean) => media.muted$.next(muted),
  setCameraOn: async (on: boolean) => media.cameraOn$.next(on),
  setHandRaised: () => {},
  react: () => {},
  leave: () => {},
  dismiss: () => {},
  join: () => {},
  decline: () => {},
  admit: () => {},
  remove: () => {},
} as unknown as GroupCallStore<RtcGroupMedia>;

const host = document.createElement('main');
host.id = 'stage-host';
host.style.cssText = 'height:100vh;padding:8px;box-sizing:border-box';
document.body.style.margin = '0';
document.body.append(host);
render(() => <GroupCallPanel store={store} t={messagesFor('en-US')} modal minimised={false} setMinimised={() => {}} />, host);
// `startSFrameWorker` only so the bundle has the SFrame worker: test pages are built with the
// worker-integrity plugin, which needs it (this page starts none).
(window as unknown as { stageLab: unknown }).stageLab = { layers: () => [...layers], startSFrameWorker };
document.documentElement.lang = 'en';
document.title = 'group stage lab ready';
