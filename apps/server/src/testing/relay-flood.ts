/**
 * What the kill-mid-flood tests share (relay/postgres-restart and relay/node-death): a sender
 * keeping sends in flight until the server under it is killed, and a reader acking deliveries as a
 * client does until they go quiet.
 */
import type { TestRelayClient } from './test-support.js';

type Frame = { t?: string; ref?: string; ok?: boolean; id?: string; messageId?: string };

/** Per message id, the envelope ids it arrived in (a redelivered envelope keeps its id). */
export type Deliveries = Map<string, Set<string>>;

/**
 * Reads and acks deliveries into `into` until `quietMs` pass without a frame (or the socket
 * closes); fails with figures after `limitMs` instead of hanging (seen once under load).
 */
export async function receiveUntilQuiet(client: TestRelayClient, into: Deliveries, quietMs: number, limitMs = 90_000): Promise<void> {
  const giveUpAt = Date.now() + limitMs;
  const kinds = new Map<string, number>();
  for (let frames = 0; ; frames++) {
    if (Date.now() > giveUpAt) {
      throw new Error(`deliveries never went quiet: ${frames} frames in ${limitMs} ms (${JSON.stringify(Object.fromEntries(kinds))}), ${into.size} distinct messages`);
    }
    const frame = (await Promise.race([client.next(quietMs).catch(() => null), client.closed.then(() => null)])) as Frame | null;
    if (!frame) return;
    kinds.set(frame.t ?? '?', (kinds.get(frame.t ?? '?') ?? 0) + 1);
    if (frame.t !== 'deliver') continue;
    into.set(frame.messageId!, (into.get(frame.messageId!) ?? new Set()).add(frame.id!));
    client.send({ t: 'ack', id: frame.id });
  }
}

/**
 * Sends `ids` through `sender` (`send` writes one), `inFlight` at a time, adding each acknowledged
 * one to `acknowledged`; once `killAfter` are, calls `kill` and sends no more. Returns when the
 * connection closed (the server is gone).
 */
export async function floodUntilKilled(
  sender: TestRelayClient,
  ids: readonly string[],
  send: (id: string) => void,
  options: { inFlight: number; killAfter: number; kill: () => void; acknowledged: Set<string> },
): Promise<void> {
  let sent = 0;
  while (sent < options.inFlight) send(ids[sent++]!);
  let killed = false;
  for (;;) {
    const frame = (await Promise.race([sender.next(10_000), sender.closed])) as Frame;
    if (frame.t !== 'result') return; // the connection closed: the server is gone
    if (frame.ok && frame.ref) options.acknowledged.add(frame.ref);
    if (!killed && options.acknowledged.size >= options.killAfter) {
      options.kill();
      killed = true;
    }
    if (sent < ids.length && !killed) send(ids[sent++]!);
  }
}
