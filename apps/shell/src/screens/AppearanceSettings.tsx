import { THEME_CHOICES, type ThemeChoice } from '@parley/design-tokens';
import { useId } from 'react';
import { CALL_LAYOUT_CHOICES, type CallLayoutChoice } from '../layout/appearance.js';
import type { ShellMessages } from '../messages.js';

/** Settings → Appearance: the theme (System/Light/Dark) and where a call goes on wide screens. */
export function AppearanceSettings(props: {
  t: ShellMessages;
  theme: ThemeChoice;
  onTheme: (choice: ThemeChoice) => void;
  callLayout: CallLayoutChoice;
  onCallLayout: (choice: CallLayoutChoice) => void;
}) {
  const { t, theme, onTheme, callLayout, onCallLayout } = props;
  const name = useId();
  const helpId = useId();
  return (
    <section className="settings__section" aria-labelledby={`${name}-title`}>
      <h3 id={`${name}-title`}>{t.appearance}</h3>
      <fieldset className="choice-group" data-testid="theme-choice">
        <legend>{t.theme}</legend>
        {THEME_CHOICES.map((choice) => (
          <label key={choice} className="choice-group__option">
            <input type="radio" name={`${name}-theme`} value={choice} checked={theme === choice} onChange={() => onTheme(choice)} />
            <span>{t.themes[choice]}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="choice-group" aria-describedby={helpId} data-testid="call-layout-choice">
        <legend>{t.callLayout}</legend>
        {CALL_LAYOUT_CHOICES.map((choice) => (
          <label key={choice} className="choice-group__option">
            <input type="radio" name={`${name}-call-layout`} value={choice} checked={callLayout === choice} onChange={() => onCallLayout(choice)} />
            <span>{t.callLayouts[choice]}</span>
          </label>
        ))}
        <small id={helpId}>{t.callLayoutHelp}</small>
      </fieldset>
    </section>
  );
}
