/**
 * What the conversation list says of a message: its text, or — for a photo, file or voice message
 * sent without a caption — what it carries, so a conversation's last line is never blank.
 */
import type { HistoryMessage } from '@parley/messenger';
import type { AttachmentMessages } from './attachment-messages.js';

/** The preview text of a message that was not deleted (its caption, else what it carries). */
export function messagePreviewText(message: Pick<HistoryMessage, 'body' | 'attachments'>, a: AttachmentMessages): string {
  if (message.body !== '') return message.body;
  const first = message.attachments?.[0];
  if (first === undefined) return '';
  if (first.voice === true) return `🎤 ${a.voiceMessage}`;
  if (first.contentType.startsWith('image/')) return `📷 ${a.photo}`;
  return `📎 ${first.fileName}`;
}
