/**
 * The part of a WebSocket the relay client uses. Structural, so the browser's WebSocket and the
 * `ws` package (in Node tests) both fit without either being imported here.
 */

// Handlers are checked bivariantly (method syntax) so that implementations whose event types are
// richer than ours — the DOM's MessageEvent, ws's MessageEvent — still fit.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** A WebSocket as far as the relay client is concerned. */
export interface RelaySocket {
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `globalThis.WebSocket` in pages and workers, `ws`'s in Node. */
export type RelaySocketConstructor = new (url: string) => RelaySocket;

/** RFC 6455 "normal closure", used when we close on purpose. */
export const NORMAL_CLOSURE = 1000;
