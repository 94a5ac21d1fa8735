/**
 * People placing calls to each other through the real system: fresh accounts onboarded in their
 * own browser contexts (their RTCPeerConnections recorded for `callStats`, their SFrame workers
 * tapped for `expectEncryptedMedia`), and the steps of a call.
 */
import { type Browser, type BrowserContext, type Page, expect } from '@playwright/test';
import { recordPeerConnections } from './peer-connections.js';
import { tapSFrameWorkers } from './sframe-wire.js';
import { newPerson, onboard, openConversation, uniqueHandle } from './users.js';

type System = Parameters<typeof onboard>[1];
export type CallMediaButton = 'Voice call' | 'Video call';

export const callPanel = (page: Page) => page.getByTestId('call-panel');

/** A person signed in to a fresh account, with their RTCPeerConnections recorded and SFrame workers tapped; `prepare` runs before the first page load. */
export async function callPerson(browser: Browser, system: System, name: string, prepare?: (context: BrowserContext) => Promise<unknown>) {
  const { context, page } = await newPerson(browser);
  await recordPeerConnections(context);
  await tapSFrameWorkers(context);
  await prepare?.(context);
  const handle = uniqueHandle(name.split(' ')[0]!.toLowerCase());
  await onboard(page, system, handle, name);
  return { context, page, handle, name };
}

export type CallPerson = Awaited<ReturnType<typeof callPerson>>;

/** `caller` opens the chat with `callee` and calls; the callee's browser rings. */
export async function ring(caller: CallPerson, callee: CallPerson, media: CallMediaButton): Promise<void> {
  await openConversation(caller.page, callee.handle);
  await caller.page.getByRole('button', { name: media }).click();
  await expect(callPanel(caller.page)).toHaveAttribute('data-phase', 'outgoing');
  await expect(callPanel(callee.page)).toHaveAttribute('data-phase', 'incoming', { timeout: 20_000 });
  await expect(callPanel(callee.page)).toContainText(caller.name);
}

/** `caller` calls, `callee` accepts, and both reach the active phase. */
export async function connect(caller: CallPerson, callee: CallPerson, media: CallMediaButton): Promise<void> {
  await ring(caller, callee, media);
  await callee.page.getByRole('button', { name: 'Accept' }).click();
  for (const who of [caller, callee]) await expect(callPanel(who.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
}
