import { type FocusEvent, type KeyboardEvent, type ReactNode, useId } from 'react';
import { focusOnMount } from './focus-on-mount.js';

/**
 * A text to write and a button to submit it, as the composer and the message editor both need:
 * Enter submits, Shift+Enter starts a new line, Escape calls `onEscape` when given. Not while an
 * input method is composing: its Enter confirms a candidate.
 */
export function TextEntryForm(props: {
  /** The text field's label (visually hidden) and the keys' hint said to screen readers. */
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  onEscape?: () => void;
  onFocus?: (event: FocusEvent<HTMLTextAreaElement>) => void;
  /** Shown in the empty field, and the hint as a tooltip too (the composer). */
  placeholder?: string;
  tooltip?: string;
  submitLabel: string;
  submitIcon: ReactNode;
  canSubmit: boolean;
  testId: string;
  /** After the button: an error line, say. */
  children?: ReactNode;
}) {
  const inputId = useId();
  const hintId = useId();

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape' && props.onEscape) {
      event.preventDefault();
      props.onEscape();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      props.onSubmit();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <label htmlFor={inputId} className="visually-hidden">
        {props.label}
      </label>
      <textarea
        id={inputId}
        rows={1}
        // The field is shown because the person is about to write (a conversation opened, Edit chosen).
        ref={focusOnMount}
        value={props.value}
        {...(props.placeholder !== undefined ? { placeholder: props.placeholder } : {})}
        {...(props.tooltip !== undefined ? { title: props.tooltip } : {})}
        aria-describedby={hintId}
        {...(props.onFocus ? { onFocus: props.onFocus } : {})}
        onChange={(event) => props.onChange(event.target.value)}
        onKeyDown={onKeyDown}
        data-testid={props.testId}
      />
      <span id={hintId} className="visually-hidden">
        {props.hint}
      </span>
      <button type="submit" className="icon-button" aria-label={props.submitLabel} title={props.submitLabel} disabled={!props.canSubmit}>
        {props.submitIcon}
      </button>
      {props.children}
    </form>
  );
}
