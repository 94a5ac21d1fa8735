import { useObservable } from '@parley/bus-react';
import type { Messenger } from '@parley/messenger';
import { useMemo } from 'react';
import { EMPTY } from 'rxjs';
import { type FeatureMessages, typingText } from './feature-messages.js';
import './features.css';

const NOBODY: readonly string[] = [];

/**
 * "Alice is typing…" above the composer. The live region is always there (empty while nobody
 * types) so screen readers announce the text when it appears, politely, without moving focus.
 */
export function TypingIndicator(props: { messenger: Messenger; conversationId: string; nameOf: (userId: string) => string; t: FeatureMessages }) {
  const { messenger, conversationId, nameOf, t } = props;
  const typing$ = useMemo(() => messenger.typing$?.(conversationId) ?? EMPTY, [messenger, conversationId]);
  const typing = useObservable(typing$, NOBODY);
  const text = typingText(t, typing.map(nameOf));
  return (
    <p className="typing-indicator" aria-live="polite" role="status" data-testid="typing-indicator">
      {text}
    </p>
  );
}

/** The composer's draft-change callback that drives this user's typing indicators (none when the messenger has none). */
export function useTypingReporter(messenger: Messenger, conversationId: string): ((draft: string) => void) | undefined {
  return useMemo(() => (messenger.typingChanged ? (draft: string) => messenger.typingChanged!(conversationId, draft) : undefined), [messenger, conversationId]);
}
