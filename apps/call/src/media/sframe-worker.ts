/**
 * The SFrame worker of one call: every encoded transform (`RTCRtpScriptTransform`) of the call's
 * peer connection runs here, on both directions and both kinds. Send transforms encrypt with this
 * side's key (own KID per track slot), receive transforms decrypt with the peer's; a frame that
 * cannot be encrypted is dropped (never sent in clear), one that cannot be decrypted is dropped and
 * counted. Counters go to the page twice a second.
 */
import { GroupReceiveKeys, SFrameKeyRing, SFrameSender, decryptFrame, decryptGroupFrame, deriveTrackKey, encryptFrame, generateSenderSecret, parseKeyId, type CipherSuiteId, type MediaCodec } from '@parley/media-e2ee';
import type { FromWorker, SenderCounters, ToWorker, TransformCounters, TransformOptions, WorkerKey } from './sframe-protocol.js';

// The app compiles against the DOM library; these are the few worker-side shapes used here.
interface EncodedFrame {
  data: ArrayBuffer;
}
interface ScriptTransformer {
  readonly options: TransformOptions;
  readonly readable: ReadableStream<EncodedFrame>;
  readonly writable: WritableStream<EncodedFrame>;
}
interface WorkerScope {
  onrtctransform: ((event: { transformer: ScriptTransformer }) => void) | null;
  onmessage: ((event: { data: ToWorker }) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
const COUNTERS_EVERY_MS = 500;
/** The suite of 1:1 and group calls (call-media.ts SUITE): the one worth compiling ahead. */
const WARM_UP_SUITE: CipherSuiteId = 0x0004;

interface Endpoint {
  readonly options: TransformOptions;
  counters: { ok: number; dropped: number; lastFailure: string | null; lastFailedSender: number | null };
  /** Send side: the track's sender; receive side: the ring of the peer's keys for this slot. */
  sender: SFrameSender | null;
  ring: SFrameKeyRing | null;
}

const endpoints: Endpoint[] = [];
let localKey: WorkerKey | null = null;
let peerKey: WorkerKey | null = null;
/** Group calls: every other participant's keys, found by each frame's KID (libs/media-e2ee). */
let groupKeys: GroupReceiveKeys | null = null;
const group = (): GroupReceiveKeys => (groupKeys ??= new GroupReceiveKeys());
/** Group calls: the participant (and their track slot) each subscriber m-line carries, from the SFU's stream list. */
const streamOwners = new Map<string, { participant: number; slot: number }>();
/** Serialises key installation so frames never see half-installed keys. */
let keyWork: Promise<void> = Promise.resolve();

const codecOf = (kind: 'audio' | 'video'): MediaCodec => (kind === 'audio' ? 'opus' : 'vp8');

async function installSendKey(endpoint: Endpoint, key: WorkerKey): Promise<void> {
  const trackKey = await deriveTrackKey(key.suite as CipherSuiteId, key.secret, { generation: BigInt(key.generation), sender: key.sender, track: endpoint.options.slot }, 'encrypt');
  const sender = endpoint.sender ?? new SFrameSender();
  sender.setKey(trackKey);
  endpoint.sender = sender;
}

async function installReceiveKey(endpoint: Endpoint, key: WorkerKey): Promise<void> {
  const trackKey = await deriveTrackKey(key.suite as CipherSuiteId, key.secret, { generation: BigInt(key.generation), sender: key.sender, track: endpoint.options.slot }, 'decrypt');
  const ring = endpoint.ring ?? new SFrameKeyRing({ capacity: 4 });
  if (ring.has(trackKey.kid)) ring.remove(trackKey.kid);
  ring.add(trackKey);
  endpoint.ring = ring;
}

function installKeys(endpoint: Endpoint): Promise<void> {
  keyWork = keyWork.then(async () => {
    if (endpoint.options.side === 'send' && localKey) await installSendKey(endpoint, localKey);
    if (endpoint.options.side === 'receive' && peerKey) await installReceiveKey(endpoint, peerKey);
  });
  return keyWork;
}

function failed(endpoint: Endpoint, code: string, kid: bigint | undefined): void {
  // The sender's own byte-identical copy of a frame already played (Firefox does it for key
  // frames): dropped like a replay, but it says nothing about the keys or the peer.
  if (code === 'retransmitted-frame') return;
  endpoint.counters.dropped += 1;
  endpoint.counters.lastFailure = code;
  endpoint.counters.lastFailedSender = kid === undefined ? null : parseKeyId(kid).sender;
}

scope.onrtctransform = ({ transformer }) => {
  const options = transformer.options;
  const endpoint: Endpoint = { options, counters: { ok: 0, dropped: 0, lastFailure: null, lastFailedSender: null }, sender: null, ring: null };
  endpoints.push(endpoint);
  void installKeys(endpoint);
  const codec = codecOf(options.kind);
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      const bytes = new Uint8Array(frame.data);
      if (options.side === 'send') {
        if (!endpoint.sender) return failed(endpoint, 'no-sending-key', undefined);
        const sealed = await encryptFrame(endpoint.sender, codec, bytes);
        if (!sealed.ok) return failed(endpoint, sealed.failure.code, sealed.failure.kid);
        frame.data = sealed.value.buffer;
      } else if (options.group) {
        const owner = options.mid === undefined ? undefined : streamOwners.get(options.mid);
        // Media on an m-line the SFU's stream list does not name belongs to nobody we can show.
        if (options.mid !== undefined && owner === undefined) return failed(endpoint, 'unlisted-stream', undefined);
        const opened = await decryptGroupFrame(group(), codec, bytes, owner && { from: owner.participant, track: owner.slot });
        if (!opened.ok) return failed(endpoint, opened.failure.code, opened.failure.kid);
        frame.data = opened.value.data.buffer;
      } else {
        if (!endpoint.ring) return failed(endpoint, 'unknown-key-id', undefined);
        const opened = await decryptFrame(endpoint.ring, codec, bytes);
        if (!opened.ok) return failed(endpoint, opened.failure.code, opened.failure.kid);
        frame.data = opened.value.data.buffer;
      }
      endpoint.counters.ok += 1;
      controller.enqueue(frame);
    },
  });
  // A transform whose sender or receiver went (renegotiation, a rejoin) stops being counted.
  void transformer.readable
    .pipeThrough(transform)
    .pipeTo(transformer.writable)
    .catch(() => {})
    .finally(() => endpoints.splice(endpoints.indexOf(endpoint), 1));
};

/**
 * Runs the key schedule and one frame of each codec through encryption and decryption with a
 * throwaway key, touching no call state: a worker made ahead has its crypto code compiled while
 * the page is idle instead of during its call's set-up (every worker is a fresh script instance).
 */
async function warmUp(): Promise<void> {
  const id = { generation: 0n, sender: 0, track: 0 };
  const secret = generateSenderSecret();
  const sender = new SFrameSender();
  sender.setKey(await deriveTrackKey(WARM_UP_SUITE, secret, id, 'encrypt'));
  const ring = new SFrameKeyRing();
  ring.add(await deriveTrackKey(WARM_UP_SUITE, secret, id, 'decrypt'));
  // A VP8 key frame's payload header (first byte's low bit clear), then some payload.
  const frames: [MediaCodec, Uint8Array][] = [['opus', new Uint8Array(60)], ['vp8', new Uint8Array(200)]];
  for (const [codec, frame] of frames) {
    const sealed = await encryptFrame(sender, codec, frame);
    if (sealed.ok) await decryptFrame(ring, codec, sealed.value);
  }
}

/**
 * The browser tests' fault injection (a lying SFU, a wrong key); true when `data` was one. Only
 * called in builds with test hooks (tools/mf-build/test-hooks.mjs): elsewhere it is dead code.
 */
function injectFault(data: ToWorker): boolean {
  switch (data.type) {
    case 'misattribute-streams': {
      const mids = [...streamOwners.keys()];
      const owners = mids.map((mid) => streamOwners.get(mid)!.participant);
      const others = [...new Set(owners)];
      // Each m-line gets the next participant's index (by first appearance), never its own.
      if (others.length > 1) for (const [i, mid] of mids.entries()) streamOwners.set(mid, { ...streamOwners.get(mid)!, participant: others[(others.indexOf(owners[i]!) + 1) % others.length]! });
      return true;
    }
    case 'corrupt-peer-key':
      if (data.sender !== undefined) {
        const keys = group();
        for (const { generation } of keys.generationsOf(data.sender)) keys.addKey(data.sender, generation, generateSenderSecret());
        return true;
      }
      if (!peerKey) return true;
      peerKey = { ...peerKey, secret: generateSenderSecret() };
      for (const endpoint of endpoints) if (endpoint.options.side === 'receive') void installKeys(endpoint);
      return true;
    default:
      return false;
  }
}

scope.onmessage = ({ data }) => {
  if (typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__ && injectFault(data)) return;
  switch (data.type) {
    case 'warm-up':
      void warmUp().catch(() => {});
      return;
    case 'local-key':
      localKey = data.key;
      for (const endpoint of endpoints) if (endpoint.options.side === 'send') void installKeys(endpoint);
      return;
    case 'peer-key':
      peerKey = data.key;
      for (const endpoint of endpoints) if (endpoint.options.side === 'receive') void installKeys(endpoint);
      return;
    case 'group-peer-key':
      group().addKey(data.key.sender, BigInt(data.key.generation), data.key.secret);
      return;
    case 'stream-owners':
      streamOwners.clear();
      for (const { mid, participant, slot } of data.owners) streamOwners.set(mid, { participant, slot });
      return;
    case 'forget-peer':
      group().forget(data.sender);
      return;
  }
};

setInterval(() => {
  const transforms: TransformCounters[] = endpoints.map(({ options, counters }) => ({ side: options.side, kind: options.kind, slot: options.slot, ...counters }));
  const senders: SenderCounters[] = (groupKeys?.senders ?? []).map((sender) => {
    const stats = groupKeys!.statsOf(sender);
    return { sender, ok: stats?.decrypted ?? 0, dropped: stats?.dropped ?? 0 };
  });
  scope.postMessage({ type: 'counters', transforms, senders });
}, COUNTERS_EVERY_MS);
