// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import type { AttachmentPointer } from '@parley/contracts';
import type { AttachmentTransferApi } from '@parley/messenger';
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttachmentView } from './AttachmentView.js';

const dom = reactTestRoot();

const pointer = (contentType: string, fileName: string): AttachmentPointer => ({
  blobId: `${fileName.replace(/\W/g, '')}`.padEnd(22, 'x').slice(0, 22),
  key: 'k'.repeat(88),
  digest: 'd'.repeat(44),
  size: 2_400_000,
  contentType,
  fileName,
});

/** A download the test sees requested; it answers with a few bytes at once. */
function transfer(): AttachmentTransferApi & { downloads: string[] } {
  const downloads: string[] = [];
  return {
    downloads,
    download: async (p: AttachmentPointer, progress: (fraction: number) => void) => {
      downloads.push(p.fileName);
      progress(1);
      return new Uint8Array([1, 2, 3]);
    },
  } as unknown as AttachmentTransferApi & { downloads: string[] };
}

const settle = () => act(async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
});
const byName = (name: string) => [...dom.container.querySelectorAll<HTMLElement>('[aria-label]')].find((element) => element.getAttribute('aria-label') === name);

describe('a video attachment', () => {
  beforeEach(() => {
    // happy-dom plays nothing: say which types this "browser" can play, as Chromium would.
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((type: string) => (type === 'video/mp4' || type === 'video/webm' ? 'maybe' : ''));
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve());
  });
  afterEach(() => vi.restoreAllMocks());

  it('is downloaded only when asked to play, then plays in the bubble with the focus on the player', async () => {
    const files = transfer();
    act(() => dom.root.render(<AttachmentView pointer={pointer('video/mp4', 'holiday.mp4')} transfer={files} locale="en-US" />));
    expect(byName('Download holiday.mp4')).toBeDefined();
    expect(files.downloads).toEqual([]);
    expect(dom.container.querySelector('video')).toBeNull();

    act(() => byName('Play video holiday.mp4')!.click());
    await settle();
    const video = byName('Video holiday.mp4');
    expect(video?.tagName).toBe('VIDEO');
    expect(video?.hasAttribute('controls')).toBe(true);
    expect(dom.container.ownerDocument.activeElement).toBe(video);
    expect(files.downloads).toEqual(['holiday.mp4']);
    expect(byName('Play video holiday.mp4')).toBeUndefined();
  });

  it('speaks Russian', () => {
    act(() => dom.root.render(<AttachmentView pointer={pointer('video/webm', 'отпуск.webm')} transfer={transfer()} locale="ru-RU" />));
    expect(byName('Смотреть видео отпуск.webm')).toBeDefined();
    expect(byName('Скачать отпуск.webm')).toBeDefined();
  });

  it('a video type the browser cannot play stays a file to download, and other files have no play button', () => {
    act(() => dom.root.render(<AttachmentView pointer={pointer('video/x-msvideo', 'old.avi')} transfer={transfer()} locale="en-US" />));
    expect(byName('Play video old.avi')).toBeUndefined();
    expect(byName('Download old.avi')).toBeDefined();
    act(() => dom.root.render(<AttachmentView pointer={pointer('application/pdf', 'report.pdf')} transfer={transfer()} locale="en-US" />));
    expect(byName('Play video report.pdf')).toBeUndefined();
  });
});
