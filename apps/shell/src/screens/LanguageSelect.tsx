import { useId } from 'react';
import { LOCALES, type ShellMessages } from '../messages.js';

/** The language switch (English, Russian); the browser's language is the default. */
export function LanguageSelect({ t, locale, onChange }: { t: ShellMessages; locale: string; onChange: (locale: string) => void }) {
  const id = useId();
  return (
    <span className="language-select">
      <label htmlFor={id}>{t.language}</label>{' '}
      <select id={id} value={locale} onChange={(event) => onChange(event.target.value)} data-testid="shell-locale">
        {LOCALES.map((option) => (
          <option key={option.tag} value={option.tag} lang={option.tag}>
            {option.label}
          </option>
        ))}
      </select>
    </span>
  );
}
