// `react` as the unit tests see it: Preact's compat layer, as the apps ship it (REACT_ALIASES in
// shared-dependencies.mjs), plus React 19's `act`, which compat lacks, from Preact's test utilities.
import { act as preactAct } from 'preact/test-utils';

export * from 'preact/compat';
export { default } from 'preact/compat';

/**
 * Preact's `act`, resolving like React's to what an async callback resolved to (Preact's resolves
 * to nothing): tests write `const group = await act(async () => messenger.createGroup(…))`.
 */
export function act(callback) {
  let result;
  const done = preactAct(() => {
    result = callback();
    return result;
  });
  return result && typeof result.then === 'function' ? done.then(() => result) : result;
}
