/**
 * Test helpers for React components under vitest's happy-dom environment: a fresh container and
 * React root before each test, unmounted and removed after it, and typing into a controlled field.
 */
import { act } from 'react';
import { type Root, createRoot } from 'react-dom/client';
import { afterEach, beforeEach } from 'vitest';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** Registers the hooks; read `container` and `root` inside a test. */
export function reactTestRoot(): { readonly container: HTMLDivElement; readonly root: Root } {
  let current: { container: HTMLDivElement; root: Root } | null = null;
  beforeEach(() => {
    const container = document.createElement('div');
    document.body.append(container);
    current = { container, root: createRoot(container) };
  });
  afterEach(() => {
    const mounted = current;
    if (!mounted) return;
    act(() => mounted.root.unmount());
    mounted.container.remove();
    current = null;
  });
  const mounted = () => {
    if (!current) throw new Error('reactTestRoot: read container and root inside a test');
    return current;
  };
  return {
    get container() {
      return mounted().container;
    },
    get root() {
      return mounted().root;
    },
  };
}

/**
 * Types `value` into a controlled input or text area as a person would: through the element's own
 * value setter (React ignores a plain assignment) and an `input` event that bubbles.
 */
export function typeInto(element: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), 'value')!.set!;
  act(() => {
    setter.call(element, value);
    element.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
