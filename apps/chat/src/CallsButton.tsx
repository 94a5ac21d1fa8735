import { Phone } from 'lucide-react';
import type { CallHistoryMessages } from './call-history-messages.js';
import './calls-button.css';

/** The Calls button beside the chat list's title, with the count of missed calls not seen yet. */
export function CallsButton({ h, missed, pressed, onToggle }: { h: CallHistoryMessages; missed: number; pressed: boolean; onToggle: () => void }) {
  return (
    <button type="button" className="icon-button calls-button" aria-label={h.callsButton(missed)} title={h.calls} aria-pressed={pressed} onClick={onToggle} data-testid="calls-button">
      <Phone aria-hidden="true" size={20} />
      {missed > 0 && (
        <span className="calls-button__badge" aria-hidden="true" data-testid="calls-missed-badge">
          {missed}
        </span>
      )}
    </button>
  );
}
