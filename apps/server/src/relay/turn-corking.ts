/**
 * Write coalescing for the relay's sockets. One turn of the event loop answers a whole batch of
 * sends and delivers what it queued: several frames to most connections. Written one by one,
 * that is one syscall (and one trip through loopback TCP) per frame, which was most of the
 * relay's CPU time under load. A socket corked here is uncorked once the turn's I/O callbacks
 * have run, so its frames leave in one write, in order, without waiting any longer than that.
 */
import type { Socket } from 'node:net';

const corked = new Set<Socket>();

/** Holds this socket's writes until the current turn of the event loop ends. */
export function corkForThisTurn(socket: Socket): void {
  if (corked.has(socket)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  corked.add(socket);
  socket.cork();
}

function uncorkAll(): void {
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) socket.uncork();
}
