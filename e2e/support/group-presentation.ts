/**
 * Checks of a screen shared in a group call: the spotlight a viewer decodes, and the SFrame KID
 * track slots (libs/media-e2ee TrackSlot) — which sender's frames, of which track, a tap saw, and
 * what a page's receive transforms did with one slot — to prove the screen travels on its own slot.
 */
import type { Page } from '@playwright/test';
import { parseKeyId } from '@parley/media-e2ee';
import type { CallPerson } from './calls.js';
import { type MediaPage, type SentFrame, type WireFrame, frameId } from './sframe-wire.js';

/** KID track slots of a shared screen and its sound. */
export const SLOT = { screenAudio: 2, screen: 3 } as const;

/** Frames decrypted and dropped by the page's receive transforms on one KID slot (the SFrame workers' own counters). */
export function receivedOnSlot(page: MediaPage, slot: number): Promise<{ ok: number; dropped: number }> {
  return page.evaluate((wanted: number) => {
    type Counters = { transforms?: { side: string; slot: number; ok: number; dropped: number }[] } | null;
    const taps = (window as unknown as { __parleyWireTaps?: { live: boolean; counters: Counters }[] }).__parleyWireTaps ?? [];
    const total = { ok: 0, dropped: 0 };
    for (const tap of taps.filter((t) => t.live)) {
      for (const t of tap.counters?.transforms ?? []) {
        if (t.side !== 'receive' || t.slot !== wanted) continue;
        total.ok += t.ok;
        total.dropped += t.dropped;
      }
    }
    return total;
  }, slot);
}

/** The frames whose KID names `sender` and track `slot`. */
export const onSlot = <F extends SentFrame | WireFrame>(frames: readonly F[], sender: number, slot: number) =>
  frames.filter((f) => {
    const id = frameId(f.kind, 'sealed' in f ? f.sealed : f.bytes);
    if (!id) return false;
    const kid = parseKeyId(id.kid);
    return kid.sender === sender && kid.track === slot;
  });

/** The decoded size of the spotlight's video. */
export function spotlightSize(page: Page): Promise<[number, number]> {
  return page.getByTestId('group-call-spotlight-video').evaluate((video: HTMLVideoElement) => [video.videoWidth, video.videoHeight] as [number, number]);
}

/** The participant index (the KID sender) of the person named `name`, as `viewer`'s call lists them. */
export async function participantIndex(viewer: CallPerson, name: string): Promise<number> {
  return Number(await viewer.page.getByTestId('group-call-participant').filter({ hasText: name }).getAttribute('data-participant'));
}
