import { useEffect, useId, useState } from 'react';
import type { ShellMessages } from '../messages.js';

/** What the beta toggle asks of the session layer. */
export interface BetaActions {
  get(): Promise<boolean>;
  /** Saves the choice; the shell then fetches a manifest evaluated with it. */
  set(enabled: boolean): Promise<void>;
}

/** Settings: opt in to or out of the beta program (early releases of the apps). */
export function BetaToggle({ t, actions }: { t: ShellMessages; actions: BetaActions }) {
  const id = useId();
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    actions.get().then(
      (value) => !cancelled && setEnabled(value),
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [actions]);

  const change = (value: boolean) => {
    setEnabled(value);
    setFailed(false);
    actions.set(value).catch(() => {
      setEnabled(!value);
      setFailed(true);
    });
  };

  return (
    <div className="settings__beta" data-testid="beta-program">
      <h3>{t.betaProgram}</h3>
      <input id={id} type="checkbox" checked={enabled ?? false} disabled={enabled === null} onChange={(event) => change(event.target.checked)} />{' '}
      <label htmlFor={id}>{t.betaProgram}</label>
      <p>
        <small>{t.betaHelp}</small>
      </p>
      {failed && <p role="alert">{t.betaFailed}</p>}
    </div>
  );
}
