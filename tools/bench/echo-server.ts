/**
 * The baseline for `npm run bench`: a raw `ws` server that echoes every text frame back to its
 * sender, nothing else. Prints `{"port":…}` once listening.
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 * 1024 });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' ? address.port : 0 })}\n`);
});
