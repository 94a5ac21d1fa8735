import type { HistoryMessage, MemberReceipt } from '@parley/messenger';
import { groupMessageReceipts } from '@parley/messenger/page';
import { Info, X } from 'lucide-react';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import type { FeatureMessages } from './feature-messages.js';
import { formatTime } from './messages.js';
import './features.css';

/**
 * "Message info" on an own group message: a small button in the bubble that opens a dialog with
 * who read it and who has it delivered, with the times their receipts give. Escape or Close
 * closes it and puts the focus back on the button.
 */
export function MessageInfoButton(props: { message: HistoryMessage; nameOf: (userId: string) => string; locale: string; t: FeatureMessages }) {
  const { t } = props;
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        className="icon-button message-info__open"
        aria-label={t.messageInfo}
        title={t.messageInfo}
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen(true)}
        data-testid="message-info"
      >
        <Info aria-hidden="true" size={14} />
      </button>
      {open && <MessageInfoDialog {...props} onClose={close} />}
    </>
  );
}

function MessageInfoDialog(props: { message: HistoryMessage; nameOf: (userId: string) => string; locale: string; t: FeatureMessages; onClose: () => void }) {
  const { message, nameOf, locale, t, onClose } = props;
  const titleId = useId();
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => closeButton.current?.focus(), []);
  const { readBy, deliveredTo, waiting } = groupMessageReceipts(message);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    }
  };
  return (
    <div className="message-info__backdrop">
      <div className="message-info" role="dialog" aria-modal="true" aria-labelledby={titleId} onKeyDown={onKeyDown} data-testid="message-info-dialog">
        <div className="message-info__header">
          <h3 id={titleId}>{t.messageInfoTitle}</h3>
          <button ref={closeButton} type="button" className="icon-button" aria-label={t.close} title={t.close} onClick={onClose}>
            <X aria-hidden="true" size={18} />
          </button>
        </div>
        <p className="message-info__body">{message.body}</p>
        <ReceiptList title={t.readBy} receipts={readBy} nameOf={nameOf} locale={locale} t={t} testId="read-by" />
        <ReceiptList title={t.deliveredTo} receipts={deliveredTo} nameOf={nameOf} locale={locale} t={t} testId="delivered-to" />
        {waiting.length > 0 && <ReceiptList title={t.waitingFor} receipts={waiting.map((userId) => ({ userId }))} nameOf={nameOf} locale={locale} t={t} testId="waiting-for" />}
      </div>
    </div>
  );
}

function ReceiptList(props: { title: string; receipts: readonly MemberReceipt[]; nameOf: (userId: string) => string; locale: string; t: FeatureMessages; testId: string }) {
  const { title, receipts, nameOf, locale, t, testId } = props;
  const headingId = useId();
  return (
    <section className="message-info__section" aria-labelledby={headingId}>
      <h4 id={headingId}>{title}</h4>
      {receipts.length === 0 ? (
        <p className="message-info__none">{t.nobodyYet}</p>
      ) : (
        <ul aria-labelledby={headingId} data-testid={testId}>
          {receipts.map((receipt) => (
            <li key={receipt.userId}>
              <span className="message-info__name">{nameOf(receipt.userId)}</span>
              {receipt.at !== undefined && <time dateTime={new Date(receipt.at).toISOString()}>{formatTime(receipt.at, locale)}</time>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
