import { once } from 'node:events';
import { type AddressInfo, type Socket, createServer, connect } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { corkForThisTurn } from './turn-corking.js';

describe('turn corking', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const close of cleanup.splice(0)) close();
  });

  /** A connected pair of real loopback sockets. */
  async function socketPair(): Promise<{ client: Socket; server: Socket }> {
    const listener = createServer();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const accepted = once(listener, 'connection') as Promise<[Socket]>;
    const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
    const [server] = await accepted;
    cleanup.push(() => {
      client.destroy();
      server.destroy();
      listener.close();
    });
    return { client, server };
  }

  it('holds a socket\'s writes of one turn and sends them together, in order, when the turn ends', async () => {
    const { client, server } = await socketPair();
    const received: string[] = [];
    client.on('data', (chunk) => received.push(String(chunk)));
    for (const part of ['one ', 'two ', 'three']) {
      corkForThisTurn(server);
      server.write(part);
    }
    expect(server.writableCorked).toBe(1);
    expect(server.writableLength).toBe('one two three'.length);
    await nextTurn();
    expect(server.writableCorked).toBe(0);
    while (received.join('').length < 'one two three'.length) await once(client, 'data');
    expect(received.join('')).toBe('one two three');
  });

  it('skips a socket closed in the meantime and still uncorks the others of the turn', async () => {
    const closed = await socketPair();
    const live = await socketPair();
    const received: string[] = [];
    live.client.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    corkForThisTurn(closed.server);
    corkForThisTurn(live.server);
    closed.server.write('lost');
    live.server.write('kept');
    closed.server.destroy();
    await nextTurn();
    expect(live.server.writableCorked).toBe(0);
    while (received.join('').length < 'kept'.length) await once(live.client, 'data');
    expect(received.join('')).toBe('kept');
  });
});
