import { Link } from 'lucide-react';
import { useId } from 'react';
import type { ShellMessages } from '../messages.js';

/**
 * Settings → Calls: "Call links", where a WhatsApp or Signal user looks for them. The shell draws
 * the entry; the call app's own dialog answers (`call.links-requested`), so the shell knows nothing
 * of links. Shown only while the loaded call app says it can (`call.links-available`).
 */
export function CallsSettings(props: { t: ShellMessages; onCallLinks: () => void }) {
  const { t, onCallLinks } = props;
  const titleId = useId();
  return (
    <section className="settings__section" aria-labelledby={titleId} data-testid="calls-settings">
      <h3 id={titleId}>{t.calls}</h3>
      <button type="button" className="button settings__row-button" aria-haspopup="dialog" onClick={onCallLinks}>
        <Link aria-hidden="true" size={18} />
        <span>{t.callLinks}</span>
      </button>
      <small className="settings__help">{t.callLinksHelp}</small>
    </section>
  );
}
