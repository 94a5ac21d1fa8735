import type { Messenger } from '@parley/messenger';
import type { ReactNode } from 'react';
import { AttachmentComposer } from './AttachmentComposer.js';

/**
 * The conversation's composer with attachments when the messenger offers them (an older shell's
 * messenger does not): files and voice messages go out as a message carrying their pointer.
 */
export function AttachingComposer(props: { messenger: Messenger; conversationId: string; locale: string; children: ReactNode }) {
  const { messenger, conversationId, locale } = props;
  const transfer = messenger.attachments?.();
  if (!transfer) return <>{props.children}</>;
  return (
    <AttachmentComposer locale={locale} transfer={transfer} send={(pointer) => messenger.sendText(conversationId, '', { attachments: [pointer] })}>
      {props.children}
    </AttachmentComposer>
  );
}
