/**
 * Proof that call media is encrypted, not merely that nothing failed to decrypt (which also holds
 * when no transform runs at all). A test-only init script starts each SFrame worker of the page with
 * a tap in front of the call app's code (the worker still runs the app's verified bytes): around
 * every encoded transform it keeps the latest frames — on a send transform each frame before the app
 * encrypted it (plaintext) and the start of it after (clear prefix and SFrame header, to know the
 * frame by KID and CTR), on a receive transform each frame as it came off the wire, before
 * decryption. The page also keeps the worker's own frame counters, as the worker posts them.
 *
 * `expectEncryptedMedia` then requires, for every sender and receiver:
 * - the receiver's worker counts frames of that sender decrypted, and the count rises;
 * - frames the sender's tap saw encrypted (by KID and CTR) are among those the receiver got, so the
 *   sender's plaintext and the receiver's wire bytes are of the same frames;
 * - no 16-byte window of the sender's plaintext payload (after the VP8 payload header that stays in
 *   clear, see libs/media-e2ee frame-transform.ts) occurs in the receiver's wire bytes.
 */
import { type BrowserContext, type Page, expect } from '@playwright/test';
import { type MediaCodec, clearPrefixLength, decodeHeader, parseKeyId } from '@parley/media-e2ee';

type Kind = 'audio' | 'video';

/**
 * Frames each tap keeps per transform, the latest ones (a ring). Sized in time rather than count:
 * audio runs at 50 frames a second, so 100 audio frames covered only 2 s — less than the gap
 * between snapshots of three browsers on a loaded 2-core machine, which once left a sender's and a
 * receiver's rings with no frame in common. Audio frames are small; ~12 s of them cost little.
 */
const SEND_FRAMES_KEPT = { audio: 600, video: 120 };
const RECEIVED_FRAMES_KEPT = { audio: 500, video: 100 };
/** Of each encrypted frame only its start is kept: clear prefix (≤ 10) and SFrame header (≤ 17). */
const SEALED_HEAD_BYTES = 32;
/** A plaintext run this long found in the encrypted bytes means the payload went out in clear. */
export const WINDOW_BYTES = 16;
/** How long the receivers' decrypt counters may take to rise (they are posted twice a second). */
const DECRYPTING_WITHIN_MS = 10_000;
/** Frames of each kind that must be seen both encrypted by the sender and received. */
const MIN_SHARED_FRAMES = 3;

// Runs inside the SFrame worker, before the app's code (serialized: no imports, no closures).
function wireTap(sendKept: Record<string, number>, receivedKept: Record<string, number>, sealedHead: number): void {
  interface Frame {
    data: ArrayBuffer;
  }
  interface Transformer {
    options: { side: 'send' | 'receive'; kind: string; group?: boolean };
    readable: ReadableStream<Frame>;
    writable: WritableStream<Frame>;
  }
  type Entry = { plain: ArrayBuffer; sealed: ArrayBuffer } | { wire: ArrayBuffer };
  const scope = self as unknown as {
    addEventListener(type: string, listener: (event: { transformer?: Transformer; data?: { type?: string; port?: MessagePort } }) => void): void;
  };
  const records: { options: Transformer['options']; frames: Entry[] }[] = [];
  let appHandler: ((event: { transformer: Transformer }) => void) | null = null;
  // The app assigns `onrtctransform`; it gets each transformer wrapped in the tap instead.
  Object.defineProperty(self, 'onrtctransform', {
    configurable: true,
    get: () => appHandler,
    set: (handler: typeof appHandler) => {
      appHandler = handler;
    },
  });
  scope.addEventListener('rtctransform', (event) => {
    const transformer = event.transformer!;
    const options = transformer.options;
    const send = options.side === 'send';
    const record = { options, frames: [] as Entry[] };
    records.push(record);
    const kept = (send ? sendKept : receivedKept)[options.kind] ?? 100;
    const keep = (entry: Entry) => {
      record.frames.push(entry);
      if (record.frames.length > kept) record.frames.shift();
    };
    const plain = new WeakMap<Frame, ArrayBuffer>();
    const before = new TransformStream<Frame, Frame>({
      transform(frame, controller) {
        if (send) plain.set(frame, frame.data.slice(0));
        else keep({ wire: frame.data.slice(0) });
        controller.enqueue(frame);
      },
    });
    const after = new TransformStream<Frame, Frame>({
      transform(frame, controller) {
        const clear = send ? plain.get(frame) : undefined;
        if (clear) keep({ plain: clear, sealed: frame.data.slice(0, sealedHead) });
        controller.enqueue(frame);
      },
    });
    void after.readable.pipeTo(transformer.writable).catch(() => {});
    appHandler?.({ transformer: { options, readable: transformer.readable.pipeThrough(before), writable: after.writable } });
  });
  scope.addEventListener('message', (event) => {
    if (event.data?.type !== 'wire-tap-report' || !event.data.port) return;
    event.data.port.postMessage(records.map(({ options, frames }) => ({ options, frames: [...frames] })));
  });
}

// Runs in the page before it loads (serialized).
function installWireTap(prelude: string): void {
  const nativeObjectURL = URL.createObjectURL.bind(URL);
  const scripts = new Map<string, Blob>();
  URL.createObjectURL = (object: Blob | MediaSource) => {
    const url = nativeObjectURL(object);
    if (object instanceof Blob && /javascript/.test(object.type)) scripts.set(url, object);
    return url;
  };
  const taps: { worker: Worker; live: boolean; counters: unknown }[] = [];
  (window as unknown as { __parleyWireTaps: typeof taps }).__parleyWireTaps = taps;
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      // The SFrame worker starts from a blob of its checked bytes (worker-integrity.ts): the tap goes in front.
      const script = options?.name === 'sframe-worker' ? scripts.get(String(url)) : undefined;
      super(script ? nativeObjectURL(new Blob([prelude, '\n;\n', script], { type: 'text/javascript' })) : url, options);
      if (!script) return;
      const tap = { worker: this as Worker, live: true, counters: null as unknown };
      taps.push(tap);
      this.addEventListener('message', (event: MessageEvent) => {
        if ((event.data as { type?: string } | null)?.type === 'counters') tap.counters = event.data;
      });
      const terminate = this.terminate.bind(this);
      this.terminate = () => {
        tap.live = false;
        terminate();
      };
    }
  } as typeof Worker;
}

/**
 * What the checks below need of a page: running a function in it. A Playwright page is one; a
 * Firefox page (puppeteer, support/firefox.ts) is adapted to it, so one call can mix browsers.
 */
export type MediaPage = Pick<Page, 'evaluate'>;

/** The tap's init script and its argument, for a browser driver other than Playwright (support/firefox.ts). */
export const WIRE_TAP_INIT = {
  script: installWireTap,
  arg: `(${wireTap.toString()})(${JSON.stringify(SEND_FRAMES_KEPT)}, ${JSON.stringify(RECEIVED_FRAMES_KEPT)}, ${SEALED_HEAD_BYTES});`,
} as const;

/** Starts every SFrame worker of the page(s) with the tap; call before the page loads. */
export async function tapSFrameWorkers(target: BrowserContext | Page): Promise<void> {
  await target.addInitScript(WIRE_TAP_INIT.script, WIRE_TAP_INIT.arg);
}

/**
 * Test hook of the SFrame workers the page's tap holds (builds with test hooks): a 1:1 call's
 * receivers decrypt with a wrong key of the peer from now on, as a receiver without the key would.
 */
export function corruptPeerKeyOf(page: MediaPage): Promise<void> {
  return page.evaluate(() => {
    for (const tap of (window as unknown as { __parleyWireTaps?: { worker: Worker; live: boolean }[] }).__parleyWireTaps ?? []) {
      if (tap.live) tap.worker.postMessage({ type: 'corrupt-peer-key' });
    }
  });
}

/** One frame a send transform encrypted: before, and the start of it after (clear prefix and SFrame header). */
export interface SentFrame {
  readonly kind: Kind;
  readonly plain: Buffer;
  readonly sealed: Buffer;
}

/** One frame as a receive transform got it from the wire. */
export interface WireFrame {
  readonly kind: Kind;
  readonly bytes: Buffer;
}

/** Frame counters of a worker, as it posts them to the page (sframe-protocol.ts FromWorker). */
interface WorkerCounters {
  readonly transforms: readonly { side: 'send' | 'receive'; kind: Kind; ok: number }[];
  readonly senders?: readonly { sender: number; ok: number }[];
}

/** What the taps of one page hold. */
export interface TapReport {
  readonly sent: SentFrame[];
  readonly received: WireFrame[];
  /** Group calls: receive transforms decrypt any participant's frames, counted per sender. */
  readonly group: boolean;
}

/**
 * Has every live SFrame worker of the page hand over the frames it kept, held in the page until
 * `wireTapReport` reads them. Taken on all pages of a call at once, so that what one kept as sent
 * and another as received cover the same moments.
 */
export async function snapshotWireTaps(page: MediaPage): Promise<void> {
  await page.evaluate(async () => {
    type Record = { options: { side: string; kind: string; group?: boolean }; frames: { plain?: ArrayBuffer; sealed?: ArrayBuffer; wire?: ArrayBuffer }[] };
    const scope = window as unknown as { __parleyWireTaps?: { worker: Worker; live: boolean }[]; __parleyWireSnapshot?: Record[] };
    if (!scope.__parleyWireTaps) throw new Error('the page has no wire tap: call tapSFrameWorkers before it loads');
    const answers = scope.__parleyWireTaps
      .filter((t) => t.live)
      .map((tap) => {
        const channel = new MessageChannel();
        const answer = new Promise<Record[]>((resolve) => {
          channel.port1.onmessage = (event) => resolve(event.data as Record[]);
          setTimeout(() => resolve([]), 3_000);
        });
        tap.worker.postMessage({ type: 'wire-tap-report', port: channel.port2 }, [channel.port2]);
        return answer;
      });
    scope.__parleyWireSnapshot = (await Promise.all(answers)).flat();
  });
}

/** The frames of the page's latest snapshot (taken now when `snapshot` is true). */
export async function wireTapReport(page: MediaPage, snapshot = true): Promise<TapReport> {
  if (snapshot) await snapshotWireTaps(page);
  const raw = await page.evaluate(() => {
    // Runs in the page, which cannot import @parley/bytes; Node decodes with Buffer below.
    const toBase64 = (buffer: ArrayBuffer) => {
      const bytes = new Uint8Array(buffer);
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    };
    type Record = { options: { side: string; kind: string; group?: boolean }; frames: { plain?: ArrayBuffer; sealed?: ArrayBuffer; wire?: ArrayBuffer }[] };
    const records = (window as unknown as { __parleyWireSnapshot?: Record[] }).__parleyWireSnapshot ?? [];
    return records.map(({ options, frames }) => ({
      options,
      frames: frames.map((f) => (f.wire ? { wire: toBase64(f.wire) } : { plain: toBase64(f.plain!), sealed: toBase64(f.sealed!) })),
    }));
  });
  const sent: SentFrame[] = [];
  const received: WireFrame[] = [];
  for (const { options, frames } of raw) {
    const kind = options.kind as Kind;
    for (const frame of frames) {
      if ('wire' in frame) received.push({ kind, bytes: Buffer.from(frame.wire!, 'base64') });
      else sent.push({ kind, plain: Buffer.from(frame.plain!, 'base64'), sealed: Buffer.from(frame.sealed!, 'base64') });
    }
  }
  return { sent, received, group: raw.some((r) => r.options.side === 'receive' && r.options.group === true) };
}

const codecOf = (kind: Kind): MediaCodec => (kind === 'audio' ? 'opus' : 'vp8');

/** KID and CTR of an SFrame frame on the wire (after its codec's clear prefix), or null. */
export function frameId(kind: Kind, bytes: Uint8Array): { kid: bigint; ctr: bigint } | null {
  const header = decodeHeader(bytes.subarray(clearPrefixLength(codecOf(kind), bytes)));
  return header.ok ? { kid: header.value.kid, ctr: header.value.ctr } : null;
}

const idKey = (id: { kid: bigint; ctr: bigint }) => `${id.kid}:${id.ctr}`;

/** The participant index (KID sender) the sender's frames carry. */
export function senderIndexOf(sent: readonly SentFrame[]): number | null {
  for (const frame of sent) {
    const id = frameId(frame.kind, frame.sealed);
    if (id) return parseKeyId(id.kid).sender;
  }
  return null;
}

/** How many of `wire`'s frames are frames of `sent` (same KID and CTR). */
export function sharedFrames(sent: readonly SentFrame[], wire: readonly WireFrame[]): number {
  const ids = new Set(sent.map((f) => frameId(f.kind, f.sealed)).filter((id) => id !== null).map(idKey));
  return wire.filter((f) => {
    const id = frameId(f.kind, f.bytes);
    return id !== null && ids.has(idKey(id));
  }).length;
}

/** Payload bytes of the plaintext frames that windows were taken from (clear prefix skipped). */
export function plaintextPayloadBytes(sent: readonly SentFrame[]): number {
  return sent.reduce((total, f) => total + Math.max(0, f.plain.length - clearPrefixLength(codecOf(f.kind), f.plain)), 0);
}

/** Eight bytes at `at` as a number (53 of their 64 bits: a hit is checked byte by byte). */
const blockKey = (bytes: Uint8Array, at: number) =>
  (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | ((bytes[at + 3]! << 24) >>> 0)) * 0x200000 +
  ((bytes[at + 4]! | (bytes[at + 5]! << 8) | ((bytes[at + 6]! & 0x1f) << 16)) >>> 0);
const BLOCK = 8;

/**
 * Encrypted frames indexed for the plaintext search. Any run of WINDOW_BYTES (16) bytes they share
 * with a plaintext holds one of their 8-byte blocks at an offset divisible by 8, so only those are
 * indexed; each hit on one is then extended byte by byte both ways.
 */
export class CiphertextIndex {
  readonly #frames: readonly Uint8Array[];
  readonly #blocks = new Map<number, number[]>();

  constructor(frames: readonly Uint8Array[]) {
    this.#frames = frames;
    for (const [f, bytes] of frames.entries()) {
      for (let at = 0; at + BLOCK <= bytes.length; at += BLOCK) {
        const key = blockKey(bytes, at);
        const list = this.#blocks.get(key);
        if (list) list.push(f, at);
        else this.#blocks.set(key, [f, at]);
      }
    }
  }

  /**
   * The plaintext windows (WINDOW_BYTES long, from the payloads after the clear prefix) found in
   * these frames, one per plaintext frame at most, as `kind frame N at byte I`; empty when none is.
   */
  plaintextWindows(sent: readonly SentFrame[]): string[] {
    const found: string[] = [];
    for (const [index, frame] of sent.entries()) {
      const plain = frame.plain;
      const start = clearPrefixLength(codecOf(frame.kind), plain);
      const at = this.#firstShared(plain, start);
      if (at !== null) found.push(`${frame.kind} frame ${index} at byte ${at}`);
    }
    return found;
  }

  #firstShared(plain: Uint8Array, start: number): number | null {
    for (let i = start; i + BLOCK <= plain.length; i += 1) {
      const hits = this.#blocks.get(blockKey(plain, i));
      if (!hits) continue;
      for (let h = 0; h < hits.length; h += 2) {
        const wire = this.#frames[hits[h]!]!;
        const j = hits[h + 1]!;
        let left = 0;
        while (left < WINDOW_BYTES && i - left - 1 >= start && j - left - 1 >= 0 && plain[i - left - 1] === wire[j - left - 1]) left += 1;
        let right = 0;
        while (left + right < WINDOW_BYTES && i + right < plain.length && j + right < wire.length && plain[i + right] === wire[j + right]) right += 1;
        if (left + right >= WINDOW_BYTES) return i - left;
      }
    }
    return null;
  }
}

/** `CiphertextIndex.plaintextWindows` of `haystack`, for a single search. */
export function plaintextWindowsIn(sent: readonly SentFrame[], haystack: readonly Uint8Array[]): string[] {
  return new CiphertextIndex(haystack).plaintextWindows(sent);
}

/** Frames decrypted so far by the page's live workers: per sender (group calls) or per kind (1:1). */
async function decryptedCounts(page: MediaPage): Promise<{ bySender: Record<number, number>; byKind: Record<Kind, number> }> {
  const all = await page.evaluate(() =>
    ((window as unknown as { __parleyWireTaps?: { live: boolean; counters: unknown }[] }).__parleyWireTaps ?? []).filter((t) => t.live).map((t) => t.counters),
  );
  const bySender: Record<number, number> = {};
  const byKind: Record<Kind, number> = { audio: 0, video: 0 };
  for (const counters of all as (WorkerCounters | null)[]) {
    for (const t of counters?.transforms ?? []) if (t.side === 'receive') byKind[t.kind] += t.ok;
    for (const s of counters?.senders ?? []) bySender[s.sender] = (bySender[s.sender] ?? 0) + s.ok;
  }
  return { bySender, byKind };
}

/** Snapshots of a call's wire taps: up to this many when only the rings' overlap falls short. */
const SNAPSHOT_ATTEMPTS = 3;
const TOO_FEW_SHARED = / got \d+ of the (audio|video) frames /;
const isTooFewShared = (finding: string) => TOO_FEW_SHARED.test(finding);

/** Every page's tap report, taken at once, and each page's sender index in group calls. */
async function snapshotCall(pages: readonly MediaPage[]) {
  await Promise.all(pages.map((page) => snapshotWireTaps(page)));
  const reports = new Map(await Promise.all(pages.map(async (page) => [page, await wireTapReport(page, false)] as const)));
  const senderIndex = new Map(pages.map((page) => [page, senderIndexOf(reports.get(page)!.sent)] as const));
  return { reports, senderIndex };
}

/** What one snapshot shows wrong: too little seen, too few frames in common, plaintext on the wire. */
function wireFindings(
  reports: ReadonlyMap<MediaPage, TapReport>,
  pairs: readonly { sender: MediaPage; receiver: MediaPage }[],
  kinds: readonly Kind[],
  nameOf: (page: MediaPage) => string,
): string[] {
  const findings: string[] = [];
  for (const sender of new Set(pairs.map((p) => p.sender))) {
    for (const kind of kinds) {
      const sent = reports.get(sender)!.sent.filter((f) => f.kind === kind);
      if (plaintextPayloadBytes(sent) < 1_000) findings.push(`${nameOf(sender)}: too few ${kind} frames seen before encryption (${sent.length})`);
    }
  }
  const indexes = new Map<string, CiphertextIndex>();
  const receivers = [...new Set(pairs.map((p) => p.receiver))];
  const indexOf = (receiver: MediaPage, kind: Kind, wire: readonly WireFrame[]) => {
    const key = `${receivers.indexOf(receiver)} ${kind}`;
    if (!indexes.has(key)) indexes.set(key, new CiphertextIndex(wire.map((f) => f.bytes)));
    return indexes.get(key)!;
  };
  for (const { sender, receiver } of pairs) {
    for (const kind of kinds) {
      const sent = reports.get(sender)!.sent.filter((f) => f.kind === kind);
      const wire = reports.get(receiver)!.received.filter((f) => f.kind === kind);
      const shared = sharedFrames(sent, wire);
      if (shared < MIN_SHARED_FRAMES) findings.push(`${nameOf(receiver)} got ${shared} of the ${kind} frames ${nameOf(sender)} was seen encrypting`);
      const onWire = indexOf(receiver, kind, wire).plaintextWindows(sent);
      if (onWire.length) findings.push(`${nameOf(sender)}'s ${kind} plaintext is on the wire to ${nameOf(receiver)}: ${onWire.slice(0, 3).join(', ')}`);
    }
  }
  return findings;
}

/** A page taking part in a call, with a name for messages. */
export interface Participant {
  readonly page: MediaPage;
  readonly name: string;
}

/**
 * Every participant's media reaches every other encrypted (see the module comment): in a 1:1 call
 * pass both, in a group call everyone. `kinds`: what each sends (a voice call: audio only).
 * Pages in one list may repeat (the media lab runs both ends of a call in one page).
 */
export async function expectEncryptedMedia(participants: readonly Participant[], kinds: readonly Kind[]): Promise<void> {
  const pages = [...new Set(participants.map((p) => p.page))];
  const nameOf = (page: MediaPage) => participants.filter((p) => p.page === page).map((p) => p.name).join('/');
  // Each ordered pair of pages; one page holding both ends of a call is its own receiver.
  const pairs = pages.flatMap((sender) => pages.filter((receiver) => receiver !== sender || pages.length === 1).map((receiver) => ({ sender, receiver })));
  const baseline = new Map(await Promise.all(pages.map(async (page) => [page, await decryptedCounts(page)] as const)));
  let snapshot = await snapshotCall(pages);

  // The receivers' own counters: frames decrypted, and more of them since the baseline. (Not
  // decrypting is reported with the other findings, so a failure says all that is wrong.)
  const notDecrypting = async () => {
    const counts = new Map(await Promise.all(pages.map(async (page) => [page, await decryptedCounts(page)] as const)));
    const waiting: string[] = [];
    for (const { sender, receiver } of pairs) {
      const now = counts.get(receiver)!;
      const before = baseline.get(receiver)!;
      const index = snapshot.senderIndex.get(sender) ?? -1;
      if (snapshot.reports.get(receiver)!.group) {
        if (!((now.bySender[index] ?? 0) > (before.bySender[index] ?? 0))) waiting.push(`${nameOf(receiver)} decrypts no more frames of ${nameOf(sender)}`);
      } else {
        for (const kind of kinds) if (!(now.byKind[kind] > before.byKind[kind])) waiting.push(`${nameOf(receiver)} decrypts no more ${kind} frames`);
      }
    }
    return waiting;
  };
  const deadline = Date.now() + DECRYPTING_WITHIN_MS;
  let waiting = await notDecrypting();
  while (waiting.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    waiting = await notDecrypting();
  }

  // Rings of a sender and a receiver that share too few frames say only that the snapshots of
  // separate browsers fell apart in time (a loaded machine): a fresh snapshot decides. Plaintext on
  // the wire fails at once, whatever the attempt.
  let findings = [...waiting, ...wireFindings(snapshot.reports, pairs, kinds, nameOf)];
  for (let attempt = 1; attempt < SNAPSHOT_ATTEMPTS && findings.length > 0 && findings.every(isTooFewShared); attempt++) {
    snapshot = await snapshotCall(pages);
    findings = wireFindings(snapshot.reports, pairs, kinds, nameOf);
  }
  expect(findings, 'the media on the wire is ciphertext of the frames the senders encoded').toEqual([]);
}
