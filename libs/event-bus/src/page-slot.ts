/**
 * One value per page that the shell provides and the remotes read: the relay connection, the
 * messenger. The module that creates a slot is a Module Federation singleton, so every app sees the
 * same slot; only one value can be provided at a time.
 */
export interface PageSlot<T> {
  /** Makes `value` the page's; returns a function that withdraws it (sign-out, end of a test). */
  provide(value: T): () => void;
  /** The provided value. Throws when nothing is provided. */
  get(): T;
}

/** A slot for `what` (named in error messages). */
export function createPageSlot<T>(what: string): PageSlot<T> {
  let current: T | null = null;
  return {
    provide(value) {
      if (current !== null && current !== value) throw new Error(`this page already has a ${what}; withdraw it first`);
      current = value;
      return () => {
        if (current === value) current = null;
      };
    },
    get() {
      if (current === null) throw new Error(`the shell has not provided a ${what} yet`);
      return current;
    },
  };
}
