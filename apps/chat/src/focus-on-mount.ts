/**
 * `ref={focusOnMount}`: focuses the element once, when it is mounted — what React's `autoFocus`
 * does. The chat runs on Preact's compat layer (tools/mf-build/shared-dependencies.mjs), which
 * writes `autoFocus` as the HTML attribute, and a browser honours that attribute only for the
 * document's first autofocus candidate, not for a field shown later. One function for every
 * element, so that re-rendering never calls it again.
 */
export function focusOnMount(element: HTMLElement | null): void {
  element?.focus();
}
