import type { JSX } from 'solid-js';

/** Round icon button of the call bar: the icon is decorative, `label` is its accessible name and tooltip. */
export function RoundButton(props: {
  label: string;
  icon: JSX.Element;
  onClick: () => void;
  /** A toggle: whether the thing it names is switched off (muted, camera off), so every toggle reads alike. */
  pressed?: boolean;
  tone?: 'danger' | 'accept';
  expanded?: boolean;
  controls?: string;
  describedBy?: string;
  ref?: (element: HTMLButtonElement) => void;
  testId?: string;
}) {
  return (
    <button
      type="button"
      ref={(element) => props.ref?.(element)}
      class={`call-control${props.tone ? ` call-control--${props.tone}` : ''}`}
      aria-label={props.label}
      title={props.label}
      aria-pressed={props.pressed === undefined ? undefined : props.pressed ? 'true' : 'false'}
      aria-expanded={props.expanded === undefined ? undefined : props.expanded ? 'true' : 'false'}
      aria-controls={props.controls}
      aria-describedby={props.describedBy}
      data-testid={props.testId}
      onClick={() => props.onClick()}
    >
      {props.icon}
    </button>
  );
}
