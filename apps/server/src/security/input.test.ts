/**
 * What the server refuses to register (issue 21), through a real server on a real SQLite file:
 * display names that hide or reorder characters, so that one name passes for another, and handles
 * in the guests' reserved `guest.` space.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, tempFolder, testConfig } from '../testing/test-support.js';

/** Names that look like "Alice" (or reorder the text around them) but are not. */
const DECEPTIVE_NAMES: Record<string, string> = {
  'a NUL control': 'Ali\u0000ce',
  'a newline': 'Alice\nAdmin',
  'a C1 control': 'Ali\u0085ce',
  'a right-to-left override': 'Alice \u202Egnp.exe',
  'a left-to-right embedding': '\u202AAlice',
  'a right-to-left isolate': 'Alice\u2067x\u2069',
  'a first-strong isolate': '\u2068Alice',
  'a left-to-right mark': 'Alice\u200E',
  'a right-to-left mark': 'Ali\u200Fce',
  'an Arabic letter mark': 'Ali\u061Cce',
  'a zero-width space': 'Ali\u200Bce',
  'a zero-width non-joiner': 'Ali\u200Cce',
  'a zero-width joiner': 'Ali\u200Dce',
  'a word joiner': 'Ali\u2060ce',
  'a byte order mark at the start': '\uFEFFAlice',
};

describe('input the server refuses', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let http: TestApi;
  let handles = 0;
  const account = (displayName: string, handle = `input.user${++handles}`) => ({ ...new TestIdentity().account(handle), displayName });
  const guest = (displayName: string) => {
    const { handle: _handle, ...body } = account(displayName);
    return body;
  };

  beforeAll(async () => {
    folder = await tempFolder();
    // Many registrations from one address in a row: the anonymous rate limit is not under test here.
    server = createParleyServer(testConfig(folder.path, { rateLimits: null }));
    http = new TestApi((await server.start()).api);
  });
  afterAll(async () => {
    await server.stop();
    await folder.remove();
  });

  it.each(Object.entries(DECEPTIVE_NAMES))('an account display name with %s is refused', async (_what, displayName) => {
    const { status, body } = await http.request('POST', '/api/accounts', { body: account(displayName) });
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/displayName/);
  });

  it.each(Object.entries(DECEPTIVE_NAMES))('a guest display name with %s is refused', async (_what, displayName) => {
    const { status, body } = await http.request('POST', '/api/guests', { body: guest(displayName) });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/displayName/);
  });

  it('display names in any script, with spaces and punctuation, are still accepted', async () => {
    for (const displayName of ['Alice', 'Анна-Мария', 'سارا', 'José O’Neil (work)', '李小龙 🐉']) {
      expect((await http.request('POST', '/api/accounts', { body: account(displayName) })).status).toBe(201);
    }
    expect((await http.request('POST', '/api/guests', { body: guest('Гость Иван') })).status).toBe(201);
  });

  it('a regular account cannot register a guest. handle, which would pass it off as a guest', async () => {
    const { status, body } = await http.request('POST', '/api/accounts', { body: account('Mallory', 'guest.0123456789abcdef') });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/handle.*reserved for guests/);
    expect(await server.storage.accountByHandle('guest.0123456789abcdef')).toBeUndefined();
    // A handle merely containing "guest" is an ordinary one.
    expect((await http.request('POST', '/api/accounts', { body: account('Guestrid', 'guestrid.guest') })).status).toBe(201);
  });
});
