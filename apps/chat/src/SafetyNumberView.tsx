import { useEffect, useState } from 'react';
import type { ChatMessages } from './messages.js';
import { focusOnMount } from './focus-on-mount.js';

/** The safety number with a contact, in groups of five digits, to compare on both devices. */
export function SafetyNumberView(props: { t: ChatMessages; name: string; load: () => Promise<string>; onBack: () => void }) {
  const { t, name, load, onBack } = props;
  const [digits, setDigits] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    load()
      .then((value) => current && setDigits(value))
      .catch(() => current && setFailed(true));
    return () => {
      current = false;
    };
  }, [load]);

  const groups = digits?.replace(/\s+/g, '').match(/\d{1,5}/g) ?? [];
  return (
    <section className="safety-number" aria-labelledby="safety-number-title" data-testid="safety-number">
      <h2 id="safety-number-title">{t.safetyNumberTitle(name)}</h2>
      {digits !== null && (
        <p className="safety-number__digits" data-testid="safety-number-digits" aria-label={groups.join(' ')}>
          {groups.map((group, index) => (
            <span key={index}>{group}</span>
          ))}
        </p>
      )}
      {failed && <p role="alert">{t.findFailed.network}</p>}
      <p>{t.safetyNumberHelp(name)}</p>
      <button type="button" onClick={onBack} ref={focusOnMount}>
        {t.back}
      </button>
    </section>
  );
}
