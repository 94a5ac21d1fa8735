// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import type { AttachmentPointer } from '@parley/contracts';
import type { AttachmentDescription, AttachmentTransferApi, TransferProgress } from '@parley/messenger';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { AttachmentComposer } from './AttachmentComposer.js';

const dom = reactTestRoot();

/** An upload the test finishes or refuses by hand, reporting progress on the way. */
class ManualTransfer {
  readonly uploads: Array<{ bytes: Uint8Array; description: AttachmentDescription; progress: TransferProgress; resolve(p: AttachmentPointer): void; reject(e: unknown): void }> = [];
  upload(bytes: Uint8Array, description: AttachmentDescription, progress: TransferProgress = () => {}): Promise<AttachmentPointer> {
    return new Promise((resolve, reject) => this.uploads.push({ bytes, description, progress, resolve, reject }));
  }
}

const pointerFor = (description: AttachmentDescription): AttachmentPointer => ({ ...description, blobId: 'A'.repeat(22), key: 'k'.repeat(88), digest: 'd'.repeat(44), size: 4 });
const settle = () => act(async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
});
const byName = (name: string) => [...dom.container.querySelectorAll<HTMLElement>('[aria-label]')].find((element) => element.getAttribute('aria-label') === name);

function render(locale: string, transfer: ManualTransfer, sent: AttachmentPointer[]) {
  act(() =>
    dom.root.render(
      <AttachmentComposer locale={locale} transfer={transfer as unknown as AttachmentTransferApi} send={async (pointer) => void sent.push(pointer)}>
        <textarea aria-label="Message" />
      </AttachmentComposer>,
    ),
  );
}

function choose(file: File) {
  const input = dom.container.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, 'files', { configurable: true, value: [file] });
  act(() => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

describe('the attachment composer', () => {
  it('has an "Attach file" button (Russian: "Прикрепить файл") beside the text composer', () => {
    render('en-US', new ManualTransfer(), []);
    expect(byName('Attach file')?.tagName).toBe('BUTTON');
    expect(byName('Message')).toBeDefined();
    render('ru-RU', new ManualTransfer(), []);
    expect(byName('Прикрепить файл')?.tagName).toBe('BUTTON');
  });

  it('uploads a chosen file with a progress bar, then sends its pointer with the file\'s name and type', async () => {
    const transfer = new ManualTransfer();
    const sent: AttachmentPointer[] = [];
    render('en-US', transfer, sent);
    choose(new File([new Uint8Array([1, 2, 3, 4])], 'report.pdf', { type: 'application/pdf' }));
    await settle();
    const upload = transfer.uploads[0]!;
    expect(upload.description).toEqual({ fileName: 'report.pdf', contentType: 'application/pdf' });
    expect([...upload.bytes]).toEqual([1, 2, 3, 4]);
    act(() => upload.progress(0.5));
    const bar = byName('Sending report.pdf') as HTMLProgressElement;
    expect(bar.tagName).toBe('PROGRESS');
    expect(bar.value).toBe(0.5);
    upload.resolve(pointerFor(upload.description));
    await settle();
    expect(sent.map((pointer) => pointer.fileName)).toEqual(['report.pdf']);
    expect(byName('Sending report.pdf')).toBeUndefined();
  });

  it('says the quota is full in the person\'s language when the server refuses, and sends nothing', async () => {
    const transfer = new ManualTransfer();
    const sent: AttachmentPointer[] = [];
    render('ru-RU', transfer, sent);
    choose(new File([new Uint8Array(8)], 'big.bin'));
    await settle();
    transfer.uploads[0]!.reject(Object.assign(new Error('quota'), { code: 'blob_quota_exceeded' }));
    await settle();
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toMatch(/^Место для вложений закончилось/);
    expect(sent).toEqual([]);
  });
});
