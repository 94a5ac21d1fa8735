/**
 * The shape of the shell's `window.parleyDebug` as the tests use it, so page-side code is typed.
 * Page functions are serialized into the browser: use it only as `(window as DebugWindow)`.
 */
export interface Probe {
  bus: {
    inspectSubjects(): Map<string, { observers: unknown[] }>;
    state(type: string): { value: unknown };
  };
  Observable: unknown;
  busEvaluations: number;
}

export interface DebugWindow {
  parleyDebug: {
    probe(): Probe;
    remotes: Record<string, { probe(): Probe; version: string }>;
    unmount(name: string): void;
    mount(name: string): void;
  };
}
