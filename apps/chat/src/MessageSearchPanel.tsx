import type { ConversationSummary, HistoryMessage, Messenger } from '@parley/messenger';
import { Search, X } from 'lucide-react';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import type { FeatureMessages } from './feature-messages.js';
import { formatTime } from './messages.js';
import { searchSnippet } from './search-snippet.js';
import './features.css';

type Status = { readonly kind: 'idle' } | { readonly kind: 'searching' } | { readonly kind: 'done'; readonly results: readonly HistoryMessage[] } | { readonly kind: 'failed' };

/**
 * "Search messages" above the conversation list: searches every conversation on this device as the
 * user types (the server holds only ciphertext) and lists the matches — conversation, sender, date
 * and the text around the match, highlighted. Activating one opens its conversation at the message;
 * Escape clears the search, "/" elsewhere on the page moves the focus to it. Nothing shows while the messenger cannot search.
 */
export function MessageSearchPanel(props: {
  messenger: Messenger;
  conversations: readonly ConversationSummary[];
  locale: string;
  t: FeatureMessages;
  onOpen: (message: HistoryMessage) => void;
}) {
  const { messenger, conversations, locale, t, onOpen } = props;
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const canSearch = messenger.searchMessages !== undefined;

  useEffect(() => {
    if (!messenger.searchMessages || query.trim() === '') {
      setStatus({ kind: 'idle' });
      return;
    }
    let current = true;
    setStatus((previous) => (previous.kind === 'done' ? previous : { kind: 'searching' }));
    messenger.searchMessages(query).then(
      (results) => current && setStatus({ kind: 'done', results }),
      () => current && setStatus({ kind: 'failed' }),
    );
    return () => {
      current = false;
    };
    // Conversations change when messages arrive: search again so new matches show.
  }, [messenger, query, conversations]);

  // "/" anywhere outside a text field jumps to the search (as in many web apps); Ctrl+F stays the browser's.
  useEffect(() => {
    const onSlash = (event: globalThis.KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      event.preventDefault();
      input.current?.focus();
    };
    document.addEventListener('keydown', onSlash);
    return () => document.removeEventListener('keydown', onSlash);
  }, []);

  if (!canSearch) return null;
  const clear = () => {
    setQuery('');
    input.current?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape' && query !== '') {
      event.preventDefault();
      setQuery('');
    }
  };
  const byId = new Map(conversations.map((c) => [c.conversationId, c]));
  const senderOf = (message: HistoryMessage) => {
    if (message.direction === 'out') return t.you;
    const conversation = byId.get(message.conversationId);
    return conversation?.group?.members.find((m) => m.userId === message.from.userId)?.displayName ?? conversation?.peer.displayName ?? message.from.userId;
  };
  const trimmed = query.trim();

  return (
    // No role="search" here: the find-by-handle form above is the chat's one search landmark.
    <div className="message-search" data-testid="message-search-panel">
      <div className="message-search__field">
        <Search aria-hidden="true" size={16} />
        <label htmlFor={inputId} className="visually-hidden">
          {t.searchMessages}
        </label>
        <input
          ref={input}
          id={inputId}
          type="search"
          value={query}
          placeholder={t.searchPlaceholder}
          autoComplete="off"
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onKeyDown}
          data-testid="message-search"
        />
        {query !== '' && (
          <button type="button" className="icon-button" aria-label={t.clearSearch} title={t.clearSearch} onClick={clear}>
            <X aria-hidden="true" size={16} />
          </button>
        )}
      </div>
      <p className="message-search__status" role="status" aria-live="polite">
        {trimmed === '' ? '' : status.kind === 'searching' ? t.searching : status.kind === 'failed' ? t.searchFailed : status.kind === 'done' ? (status.results.length === 0 ? t.searchNothing(trimmed) : t.searchResults(status.results.length)) : ''}
      </p>
      {trimmed !== '' && status.kind === 'done' && status.results.length > 0 && (
        <ul className="message-search__results" aria-label={t.searchResults(status.results.length)} data-testid="search-results">
          {status.results.map((message) => (
            <li key={`${message.from.userId}\n${message.messageId}`}>
              <button type="button" className="message-search__result" onClick={() => onOpen(message)} data-testid="search-result">
                <span className="message-search__line">
                  <span className="message-search__conversation">{byId.get(message.conversationId)?.peer.displayName ?? message.conversationId}</span>
                  <time dateTime={new Date(message.sentAt).toISOString()}>{formatTime(message.sentAt, locale)}</time>
                </span>
                <span className="message-search__snippet">
                  <span className="message-search__sender">{senderOf(message)}: </span>
                  {searchSnippet(message.body, query).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
