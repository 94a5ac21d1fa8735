/**
 * Group calls through the real system: people in one group chat, the call started from its
 * header, the others joining from the ring, and what each page's media reports.
 */
import { type BrowserContext, type Page, expect } from '@playwright/test';
import { type CallPerson, callPerson } from './calls.js';
import type { MediaPage } from './sframe-wire.js';

type System = Parameters<typeof callPerson>[1];

export const groupCall = (page: Page) => page.getByTestId('group-call');

/** Opens the group chat named `name` in the conversation list. */
export async function openGroup(page: Page, name: string): Promise<void> {
  await page.getByTestId('conversation-item').filter({ hasText: name }).click();
  await expect(page.getByTestId('conversation')).toHaveAttribute('data-kind', 'group');
}

/**
 * `people[0]` creates a group chat with the others (and with the handles in `more`, people in
 * another browser who open it themselves); it opens for everyone in `people`.
 */
export async function createGroup(people: readonly CallPerson[], name: string, more: readonly string[] = []): Promise<void> {
  const [creator, ...others] = people;
  await creator!.page.getByTestId('new-group').click();
  await creator!.page.getByTestId('group-name').fill(name);
  await creator!.page.getByTestId('group-members').fill([...others.map((p) => p.handle), ...more].join(', '));
  await creator!.page.getByRole('button', { name: 'Create group' }).click();
  await expect(creator!.page.getByTestId('conversation')).toHaveAttribute('data-kind', 'group');
  for (const person of others) await openGroup(person.page, name);
}

/** People with recorded peer connections, in one group chat. */
export async function groupOf(browser: Parameters<typeof callPerson>[0], system: System, names: readonly string[], group: string, prepare?: Parameters<typeof callPerson>[3]): Promise<CallPerson[]> {
  const people: CallPerson[] = [];
  for (const name of names) people.push(await callPerson(browser, system, name, prepare));
  await createGroup(people, group);
  return people;
}

/** `person` answers the ring of a group call with Join. */
export async function joinFromRing(person: CallPerson): Promise<void> {
  const ring = person.page.getByTestId('group-call-incoming');
  await expect(ring).toBeVisible({ timeout: 20_000 });
  await ring.getByRole('button', { name: 'Join' }).click();
  await expect(groupCall(person.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
}

/** What one page receives in its group call, per remote track. */
export interface GroupMediaStats {
  /** Video frames decoded per inbound video stream (non-zero ones only). */
  readonly videoFrames: number[];
  readonly audioSamples: number[];
}

/** Inbound decode counters over every peer connection of the page. */
export function groupMediaStats(page: MediaPage): Promise<GroupMediaStats> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __parleyPeerConnections: RTCPeerConnection[] }).__parleyPeerConnections;
    const videoFrames: number[] = [];
    const audioSamples: number[] = [];
    for (const pc of pcs) {
      // (Firefox keeps a closed connection's connectionState; its signalingState says closed.)
      if (pc.signalingState === 'closed' || pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video' && Number(s.framesDecoded ?? 0) > 0) videoFrames.push(Number(s.framesDecoded));
        if (s.kind === 'audio' && Number(s.totalSamplesReceived ?? 0) > 0) audioSamples.push(Number(s.totalSamplesReceived));
      });
    }
    return { videoFrames, audioSamples };
  });
}

/**
 * Each of `people` decodes the audio and video of `others` other participants in the group call
 * (through SFrame: an encrypted frame decodes to nothing); `others` defaults to everyone else.
 */
export async function expectDecodingOthers(people: readonly { page: MediaPage; name: string }[], others = people.length - 1): Promise<void> {
  for (const person of people) {
    await expect
      .poll(async () => {
        const stats = await groupMediaStats(person.page);
        return stats.videoFrames.filter((n) => n > 10).length >= others && stats.audioSamples.filter((n) => n > 10_000).length >= others;
      }, { timeout: 45_000, message: `${person.name} decodes the audio and video of ${others} other(s)` })
      .toBe(true);
  }
}

/** Decoded sizes of the spotlight's and the thumbnails' video elements. */
export function tileWidths(page: Page): Promise<{ spotlight: number; thumbnails: number[] }> {
  return page.evaluate(() => {
    const width = (el: Element | null) => (el as HTMLVideoElement | null)?.videoWidth ?? 0;
    return {
      spotlight: width(document.querySelector('[data-testid="group-call-spotlight-video"]')),
      thumbnails: Array.from(document.querySelectorAll('[data-testid="group-call-tile-video"]'), width),
    };
  });
}

/** The simulcast layer this page last asked the SFU for, per participant index (from its relay `sfu` frames). */
export type RequestedLayers = Map<number, number>;

/**
 * Records the `substream` requests a person's pages send over the relay socket, as sent (the SFU
 * requests travel in clear to the server): what the app chose for each tile, whatever the
 * publisher's encoder then manages to send. Attach before the page opens its relay socket.
 */
export function recordLayerRequests(context: BrowserContext): RequestedLayers {
  const layers: RequestedLayers = new Map();
  const listen = (page: Page) =>
    page.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        if (typeof payload !== 'string' || !payload.includes('"substream"')) return;
        const frame = JSON.parse(payload) as { t?: string; request?: { op?: string; participant?: number; substream?: number } };
        if (frame.t === 'sfu' && frame.request?.op === 'substream') layers.set(frame.request.participant!, frame.request.substream!);
      }),
    );
  // The person's page may exist already (not yet navigated): its socket opens later.
  for (const page of context.pages()) listen(page);
  context.on('page', listen);
  return layers;
}

/** Keeps every Worker the page starts (before it loads), so a test can talk to the SFrame worker. */
export function recordWorkers(context: BrowserContext): Promise<unknown> {
  return context.addInitScript(() => {
    const Native = window.Worker;
    const workers: Worker[] = [];
    (window as unknown as { __parleyWorkers: Worker[] }).__parleyWorkers = workers;
    window.Worker = class extends Native {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        workers.push(this);
      }
    } as typeof Worker;
  });
}

/** Test hook of the SFrame worker: decrypt this participant's frames with a wrong key from now on. */
export function corruptKeyOf(page: Page, participant: number): Promise<void> {
  return page.evaluate((sender) => {
    for (const worker of (window as unknown as { __parleyWorkers: Worker[] }).__parleyWorkers) worker.postMessage({ type: 'corrupt-peer-key', sender });
  }, participant);
}

/** Test hook of the SFrame worker: the page's subscriber m-lines are attributed to the wrong participants, as a lying SFU would. */
export function misattributeStreams(page: Page): Promise<void> {
  return page.evaluate(() => {
    for (const worker of (window as unknown as { __parleyWorkers: Worker[] }).__parleyWorkers) worker.postMessage({ type: 'misattribute-streams' });
  });
}
