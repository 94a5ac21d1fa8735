/**
 * Sending and fetching attachments the way a person does: the composer's "Attach file" input, the
 * file card's "Download …" button. Shared by the attachments spec and the multi-node spec.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.js';

/** A small PDF-looking file whose text is `marker`. */
export const pdfWith = (marker: string) => Buffer.from(`%PDF-1.4\n% ${marker}\n${'0123456789 '.repeat(300)}\n%%EOF\n`);

/** The open conversation's message list, where attachments show. */
export const attachments = (page: Page) => page.getByTestId('message-list');

/** Attaches a file in the open conversation (it is sent as it is chosen). */
export async function attach(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await expect(page.getByRole('button', { name: 'Attach file' })).toBeVisible();
  await page.getByTestId('attach-input').setInputFiles({ name, mimeType, buffer });
}

/** Downloads the file `name` through its Download button and returns the saved bytes. */
export async function downloadFile(page: Page, name: string): Promise<Buffer> {
  const saved = page.waitForEvent('download');
  await attachments(page).getByRole('button', { name: `Download ${name}` }).click();
  return readFileSync((await (await saved).path())!);
}
