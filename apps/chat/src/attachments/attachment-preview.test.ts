import type { AttachmentPointer } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { attachmentMessagesFor } from './attachment-messages.js';
import { messagePreviewText } from './attachment-preview.js';

const pointer = (over: Partial<AttachmentPointer>): AttachmentPointer =>
  ({ blobId: 'b'.repeat(32), key: 'k', digest: 'd', size: 10, contentType: 'application/pdf', fileName: 'report.pdf', ...over }) as AttachmentPointer;

describe('messagePreviewText', () => {
  const en = attachmentMessagesFor('en');
  it('shows the caption when there is one', () => {
    expect(messagePreviewText({ body: 'look', attachments: [pointer({})] }, en)).toBe('look');
  });
  it('names what a message without a caption carries', () => {
    expect(messagePreviewText({ body: '', attachments: [pointer({})] }, en)).toBe('📎 report.pdf');
    expect(messagePreviewText({ body: '', attachments: [pointer({ contentType: 'image/png', fileName: 'a.png' })] }, en)).toBe('📷 Photo');
    expect(messagePreviewText({ body: '', attachments: [pointer({ contentType: 'audio/webm', voice: true })] }, attachmentMessagesFor('ru-RU'))).toBe('🎤 Голосовое сообщение');
  });
  it('is empty for an empty message without attachments', () => {
    expect(messagePreviewText({ body: '' }, en)).toBe('');
  });
});
