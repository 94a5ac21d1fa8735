import { HISTORY_TRANSFER_MONTHS, type HistoryTransferMonths } from '@parley/contracts';
import { useId } from 'react';
import type { ShellMessages } from '../messages.js';

/** "Send recent messages to the new browser?": none, or the last 1, 3 or 12 months. */
export function HistoryTransferChoice(props: { t: ShellMessages; months: HistoryTransferMonths; onChange: (months: HistoryTransferMonths) => void }) {
  const { t, months, onChange } = props;
  const name = useId();
  const helpId = useId();
  return (
    <fieldset className="choice-group" aria-describedby={helpId} data-testid="history-transfer-choice">
      <legend>{t.historyQuestion}</legend>
      {HISTORY_TRANSFER_MONTHS.map((choice) => (
        <label key={choice} className="choice-group__option">
          <input type="radio" name={`${name}-history`} value={choice} checked={months === choice} onChange={() => onChange(choice)} />
          <span>{t.historyChoices[choice]}</span>
        </label>
      ))}
      <small id={helpId}>{t.historyHelp}</small>
    </fieldset>
  );
}
