import { type JSX, createSignal, onCleanup, onMount } from 'solid-js';

/** How long a finished call's summary stays before it closes by itself (unless the user is on it). */
export const SUMMARY_SHOWN_MS = 10_000;

/**
 * What a finished call ends on: its summary (who, how it ended, how long) and an OK that closes it.
 * It closes by itself after SUMMARY_SHOWN_MS, but not while the pointer or the focus is on it.
 */
export function EndedSummary(props: { okLabel: string; note: string; onClose: () => void; children: JSX.Element }) {
  let element!: HTMLDivElement;
  const [held, setHeld] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!held() && !element.contains(document.activeElement)) props.onClose();
      else schedule();
    }, SUMMARY_SHOWN_MS);
  };
  onMount(schedule);
  onCleanup(() => clearTimeout(timer));
  return (
    <div ref={element} class="call-summary" role="status" onPointerEnter={() => setHeld(true)} onPointerLeave={() => setHeld(false)}>
      {props.children}
      <button type="button" class="call-button call-button--primary" onClick={() => props.onClose()}>
        {props.okLabel}
      </button>
      <p class="call-summary__note">{props.note}</p>
    </div>
  );
}
