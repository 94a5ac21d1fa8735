import { createSignal } from 'solid-js';

/** Opens and closes a sheet from a button, giving the focus back to the button when it closes. */
export function createSheetToggle() {
  const [open, setOpen] = createSignal(false);
  let button: HTMLButtonElement | undefined;
  return {
    open,
    toggle: () => setOpen((was) => !was),
    close: () => {
      setOpen(false);
      button?.focus();
    },
    button: (element: HTMLButtonElement) => {
      button = element;
    },
  };
}
