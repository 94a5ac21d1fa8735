/**
 * A group call of eight real participants without eight browsers: one person in a browser page and
 * seven werift bots (tools/bots), each a real account on the test's server that joins the call
 * through the real relay and Janus, publishes a VP8 and Opus clip SFrame-encrypted with its own
 * key, and sends that key to the person over Signal. The bots subscribe to nothing (they only
 * load the SFU), so the machine's CPU goes to the browser, which decrypts and shows all seven.
 */
import { join } from 'node:path';
import { type Browser, type Page, expect } from '@playwright/test';
import { GroupCallBot, loadOrGenerateClip } from '@parley/bots';
import { groupCall } from './group-calls.js';
import { REPO_ROOT, type RunningSystem } from './system.js';

/** The seven others, in the order they join (their tiles' order): fixed, so screenshots are stable. */
export const BOT_PEOPLE = [
  { handle: 'bob', displayName: 'Bob Dylan' },
  { handle: 'carol', displayName: 'Carol King' },
  { handle: 'dave', displayName: 'Dave Brubeck' },
  { handle: 'erin', displayName: 'Erin Brockovich' },
  { handle: 'frank', displayName: 'Frank Ocean' },
  { handle: 'grace', displayName: 'Grace Hopper' },
  { handle: 'heidi', displayName: 'Heidi Klum' },
] as const;

/** A running eight-person call: `page` is in it with the bots; `stop` takes the bots out and away. */
export interface BotGroupCall {
  readonly bots: readonly GroupCallBot[];
  stop(): Promise<void>;
}

/**
 * `page` (onboarded on `system`, a fresh server: the bots' handles are free) makes a group chat "Book club" with the seven bots and starts
 * a group video call; the bots join one after another. Resolves once the page counts eight
 * participants and shows a decoded picture on each of the seven tiles (grid view).
 */
export async function eightPersonCall(browser: Browser, system: RunningSystem, page: Page): Promise<BotGroupCall> {
  const clip = await loadOrGenerateClip(join(REPO_ROOT, '.tmp', 'bots'), browser);
  const bots: GroupCallBot[] = [];
  const warnings: string[] = [];
  const stop = async () => {
    await Promise.allSettled(bots.map((bot) => bot.stop()));
  };
  try {
    for (const person of BOT_PEOPLE) {
      bots.push(
        await GroupCallBot.start({
          server: { api: system.addresses.api },
          handle: person.handle,
          displayName: person.displayName,
          clip,
          subscribeTo: 0,
          // Only the person decrypts; bots do not need each other's keys.
          sendKeyTo: (participant) => !bots.some((bot) => bot.userId === participant.userId),
          onWarning: (message) => warnings.push(message),
        }),
      );
    }
    await page.getByTestId('new-group').click();
    await page.getByTestId('group-name').fill('Book club');
    await page.getByTestId('group-members').fill(bots.map((bot) => bot.handle).join(', '));
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page.getByTestId('conversation')).toHaveAttribute('data-kind', 'group');
    await page.getByRole('button', { name: 'Start group call' }).click();
    await expect(groupCall(page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
    const { callId } = await bots[0]!.nextRing(30_000);
    // One at a time, as people arrive: the tiles keep this order.
    for (const bot of bots) {
      await bot.join(callId);
      await expect(page.getByTestId('group-call-count')).toContainText(`${bots.indexOf(bot) + 2} participants`, { timeout: 20_000 });
    }
    await page.getByRole('button', { name: 'Grid view' }).click();
    await expect(page.getByTestId('group-call-tile')).toHaveCount(BOT_PEOPLE.length);
    // Every bot's picture decrypted and decoded on its tile (an undecryptable frame decodes to nothing).
    await expect
      .poll(() => page.getByTestId('group-call-tile-video').evaluateAll((videos) => videos.filter((video) => (video as HTMLVideoElement).videoWidth > 0 && (video as HTMLVideoElement).readyState >= 2).length), {
        timeout: 45_000,
        message: `the page decodes all seven bots' video (bot warnings: ${warnings.join('; ') || 'none'})`,
      })
      .toBe(BOT_PEOPLE.length);
    await expect(page.getByTestId('group-call-cant-decrypt')).toHaveCount(0);
    return { bots, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
