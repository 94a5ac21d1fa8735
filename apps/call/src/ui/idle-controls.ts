import { createSignal, onCleanup } from 'solid-js';

/** How long without pointer or keyboard activity before the call's controls fade. */
export const CONTROLS_IDLE_MS = 3_000;

/**
 * Whether the controls over a video stage may fade: nothing moved for CONTROLS_IDLE_MS, no keyboard
 * focus inside the stage (a keyboard user must see where they are), and the user does not prefer
 * reduced motion (then they never fade). Call `watch` with the stage element once it exists.
 */
export function createIdleControls() {
  const [idle, setIdle] = createSignal(false);
  const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stage: HTMLElement | null = null;
  const keyboardFocusInside = () => !!stage?.querySelector(':focus-visible');
  const wake = () => {
    setIdle(false);
    clearTimeout(timer);
    timer = setTimeout(() => setIdle(!reducedMotion?.matches && !keyboardFocusInside()), CONTROLS_IDLE_MS);
  };
  const events = ['pointermove', 'pointerdown', 'keydown', 'focusin'] as const;
  onCleanup(() => {
    clearTimeout(timer);
    for (const name of events) stage?.removeEventListener(name, wake);
  });
  return {
    idle,
    watch(element: HTMLElement) {
      stage = element;
      for (const name of events) element.addEventListener(name, wake);
      wake();
    },
  };
}
