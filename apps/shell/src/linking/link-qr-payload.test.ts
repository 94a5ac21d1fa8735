import { describe, expect, it } from 'vitest';
import { encodeLinkQr, LINK_QR_PREFIX, LinkQrError, parseLinkQr } from './link-qr-payload.js';

const CODE = '0123456789abcdef-abcdefghijklmnop';
const ORIGIN = 'https://parley.example';

function problemOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof LinkQrError ? { problem: error.problem, origin: error.origin } : error;
  }
  return 'no error';
}

describe('link QR payload', () => {
  it('carries the link code and the server origin, and nothing else', () => {
    const text = encodeLinkQr(CODE, `${ORIGIN}/some/path?x=1#y`);
    expect(text).toBe(`${LINK_QR_PREFIX} ${CODE} ${ORIGIN}`);
    expect(parseLinkQr(text, `${ORIGIN}/`)).toBe(CODE);
  });

  it('reads a code with surrounding white space, as some decoders give it', () => {
    expect(parseLinkQr(`  ${LINK_QR_PREFIX} ${CODE} http://localhost:4200\n`, 'http://localhost:4200')).toBe(CODE);
  });

  it('refuses to encode something that is not a link code', () => {
    expect(problemOf(() => encodeLinkQr('not a code', ORIGIN))).toEqual({ problem: 'not-a-link-code', origin: undefined });
  });

  it.each([
    ['', 'not-a-link-code'],
    ['https://example.com/some-other-qr', 'not-a-link-code'],
    [CODE, 'not-a-link-code'],
    [`${LINK_QR_PREFIX} ${CODE}`, 'not-a-link-code'],
    [`${LINK_QR_PREFIX} ${CODE} ${ORIGIN} extra`, 'not-a-link-code'],
    [`${LINK_QR_PREFIX} 0123456789abcdef-ABCDEFGHIJKLMNOP ${ORIGIN}`, 'not-a-link-code'],
    [`${LINK_QR_PREFIX} 0123456789abcdef-abc ${ORIGIN}`, 'not-a-link-code'],
    [`${LINK_QR_PREFIX} ${CODE} javascript:alert(1)`, 'not-a-link-code'],
    [`${LINK_QR_PREFIX} ${CODE} ${ORIGIN}/path`, 'not-a-link-code'],
    [`parley-link/2 ${CODE} ${ORIGIN}`, 'unsupported-version'],
  ])('refuses %j clearly (%s)', (text, problem) => {
    expect(problemOf(() => parseLinkQr(text, ORIGIN))).toMatchObject({ problem });
  });

  it('refuses a code for another server and says which', () => {
    expect(problemOf(() => parseLinkQr(`${LINK_QR_PREFIX} ${CODE} https://evil.example`, ORIGIN))).toEqual({ problem: 'other-server', origin: 'https://evil.example' });
  });
});
