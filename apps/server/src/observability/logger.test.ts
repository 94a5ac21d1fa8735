import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ logLevel: 'info', logDestination }) };
}

describe('createLogger', () => {
  it('redacts the Authorization header of a logged request', () => {
    const { lines, logger } = capture();
    logger.info({ req: { method: 'GET', headers: { authorization: 'Bearer secret-device-token-alice', host: 'x' } } }, 'request');
    expect(lines.join('')).not.toContain('secret-device-token-alice');
    expect(JSON.parse(lines[0]!).req.headers).toEqual({ authorization: '[redacted]', host: 'x' });
  });

  it('redacts tokens and ciphertext in a logged frame', () => {
    const { lines, logger } = capture();
    logger.info({ frame: { t: 'auth', token: 'secret-device-token-bob' } }, 'auth');
    logger.info({ frame: { t: 'send', messages: [{ deviceId: 1, ciphertext: 'QUJDRA==' }] } }, 'send');
    const log = lines.join('');
    expect(log).not.toContain('secret-device-token-bob');
    expect(log).not.toContain('QUJDRA==');
    expect(JSON.parse(lines[1]!).frame.messages[0]).toEqual({ deviceId: 1, ciphertext: '[redacted]' });
  });

  it('redacts SDP and room secrets in a logged SFU frame', () => {
    const { lines, logger } = capture();
    logger.info({ frame: { t: 'sfu', id: '1', request: { op: 'publish', callId: 'c', jsep: { type: 'offer', sdp: 'v=0 a=candidate' } } } }, 'sfu');
    logger.info({ room: { secret: 'room-secret-value' }, sdp: 'v=0' }, 'room');
    const log = lines.join('');
    expect(log).not.toContain('a=candidate');
    expect(log).not.toContain('room-secret-value');
    expect(JSON.parse(lines[0]!).frame.request.jsep).toBe('[redacted]');
  });
});
