import type { ShellMessages } from '../messages.js';
import { focusOnMount } from '../focus-on-mount.js';

/** Shown in every tab but the active one: Parley runs in one tab per device. */
export function OtherTabScreen({ t, onUseHere }: { t: ShellMessages; onUseHere: () => void }) {
  return (
    <main className="screen screen--centred screen--other-tab" data-testid="other-tab">
      <h1>{t.otherTab}</h1>
      <p>{t.otherTabHelp}</p>
      <button type="button" className="button button--primary" onClick={onUseHere} ref={focusOnMount}>
        {t.useHere}
      </button>
    </main>
  );
}
