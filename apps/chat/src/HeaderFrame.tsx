import { ArrowLeft } from 'lucide-react';
import type { ReactNode } from 'react';
import type { ChatMessages } from './messages.js';

/** The back button of the one-pane layout (narrow windows, or the chat beside a call): to the list. */
export function BackToList({ t, onBack }: { t: ChatMessages; onBack: () => void }) {
  return (
    <button type="button" className="icon-button conversation__back" aria-label={t.backToList} title={t.backToList} onClick={onBack} data-testid="back-to-list">
      <ArrowLeft aria-hidden="true" size={22} />
    </button>
  );
}

/** The frame of a conversation's header: back, avatar, name and status line, then the actions. */
export function HeaderFrame(props: { t: ChatMessages; onBack: () => void; avatar: ReactNode; title: ReactNode; badge?: ReactNode; children: ReactNode }) {
  return (
    <header className="conversation__header">
      <BackToList t={props.t} onBack={props.onBack} />
      {props.avatar}
      <h2 className="conversation__peer">{props.title}</h2>
      {props.badge}
      <div className="conversation__actions">{props.children}</div>
    </header>
  );
}
