import { type ReactNode, useEffect, useSyncExternalStore } from 'react';

/** Where a lazily loaded part of the chat stands. */
export type PartState<T> = { readonly status: 'idle' | 'loading' } | { readonly status: 'loaded'; readonly part: T } | { readonly status: 'failed' };

/**
 * A part of the chat fetched on demand (a chunk of this app, checked against the sha384 its build
 * wrote into the runtime), fetched once and shared by everything that shows it. Held in a store
 * rather than React.lazy: a part that has already arrived renders in the same frame, where a lazy
 * component would suspend once more and React would hold its reveal back ~300 ms.
 */
export interface PartLoader<T> {
  state(): PartState<T>;
  subscribe(listener: () => void): () => void;
  /** Starts fetching unless it has started or arrived (a failed fetch is tried again); settles when it has arrived or failed. */
  load(): Promise<void>;
}

/** A loader for the part `fetchPart` imports; `what` names it in the console when it fails. */
export function partLoader<T>(what: string, fetchPart: () => Promise<T>): PartLoader<T> {
  let state: PartState<T> = { status: 'idle' };
  let pending: Promise<void> | null = null;
  const listeners = new Set<() => void>();
  const set = (next: PartState<T>) => {
    state = next;
    for (const listener of [...listeners]) listener();
  };
  return {
    state: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    load() {
      if (pending && state.status !== 'failed') return pending;
      set({ status: 'loading' });
      pending = fetchPart().then(
        (part) => set({ status: 'loaded', part }),
        (error: unknown) => {
          console.warn(`[chat] ${what} could not be loaded:`, error instanceof Error ? error.message : error);
          set({ status: 'failed' });
        },
      );
      return pending;
    },
  };
}

/** The part's state, re-rendering as it changes; `loadNow` starts fetching it on mount. */
export function usePart<T>(loader: PartLoader<T>, loadNow: boolean): PartState<T> {
  const state = useSyncExternalStore(loader.subscribe, loader.state, loader.state);
  useEffect(() => {
    if (loadNow) void loader.load();
  }, [loader, loadNow]);
  return state;
}

/**
 * Shows a lazily loaded part: `loading` until it arrives (fetching it now unless `loadNow` is
 * false, when something else fetches it, such as the idle prefetch), then `render(part)`, or
 * `failed` when the chunk did not arrive or the browser refused it (Subresource Integrity).
 */
export function LazyPart<T>(props: { loader: PartLoader<T>; loadNow?: boolean; loading: ReactNode; failed: ReactNode; render: (part: T) => ReactNode }) {
  const state = usePart(props.loader, props.loadNow ?? true);
  if (state.status === 'loaded') return props.render(state.part);
  return state.status === 'failed' ? props.failed : props.loading;
}
