/**
 * What the server learns of a group call: it drives Janus but never holds a media key. Every
 * browser's SFrame sender secrets are captured as they go to its worker (an init script on
 * Worker.postMessage, test-only), including the fresh ones drawn when someone leaves: the scan
 * waits until each remaining participant switched to its post-leave key and the other remaining one
 * received it (through the server, over Signal). After the call, the server's data folder and debug
 * log (Janus's own output included) hold none of them. The controls run the same byte scan on the
 * same haystacks: the identity keys Alice's browser holds for the others (public keys, which the
 * server keeps by design) are found in the data folder, and the user ids (random bytes, logged at
 * debug by design) in the log. And Janus's API, bound to loopback on the server, refuses a client
 * without its API secret.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Page, expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import type { CallPerson } from '../support/calls.js';
import { groupCall, groupMediaStats, groupOf, joinFromRing } from '../support/group-calls.js';
import { dataFolderText, foundBytes, foundTexts } from '../support/server-scan.js';
import { startSystem } from '../support/system.js';

/** A key handed to the SFrame worker: this device's own (`local-key`) or another participant's (`group-peer-key`). */
interface WorkerKeyMessage {
  readonly type: string;
  readonly sender: number;
  readonly generation: number;
  readonly secret: string;
}

interface KeyCapture {
  __parleyMediaKeys: WorkerKeyMessage[];
}

const keysOf = (page: Page) => page.evaluate(() => (window as unknown as KeyCapture).__parleyMediaKeys);
const newestOwnKey = (keys: readonly WorkerKeyMessage[]) => keys.filter((k) => k.type === 'local-key').sort((a, b) => b.generation - a.generation)[0];

/** The contacts' identity keys this browser keeps (the shell's IndexedDB), hex. */
function identityKeysIn(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('parley-device');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('identities').objectStore('identities').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => resolve((all.result as Uint8Array[]).map((bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')));
        };
      }),
  );
}

test('the server never holds a media key of a group call, not even the fresh ones after a leave, and Janus refuses clients without its secret', async ({ browser }) => {
  test.setTimeout(180_000);
  const log: string[] = [];
  const system = await startSystem({ logLevel: 'debug', logDestination: { write: (line) => void log.push(line) } });
  try {
    const [alice, bob, carol] = (await groupOf(browser, system, ['Alice Liddell', 'Bob Dylan', 'Carol King'], 'Secret society', (context) =>
      context.addInitScript(() => {
        const keys: { type: string; sender: number; generation: number; secret: string }[] = [];
        (window as unknown as { __parleyMediaKeys: typeof keys }).__parleyMediaKeys = keys;
        const post = Worker.prototype.postMessage;
        Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
          const { type, key } = (message ?? {}) as { type?: string; key?: { sender?: number; generation?: number; secret?: Uint8Array } };
          if (key?.secret instanceof Uint8Array) {
            keys.push({ type: String(type), sender: Number(key.sender), generation: Number(key.generation), secret: Array.from(key.secret, (b) => b.toString(16).padStart(2, '0')).join('') });
          }
          return (post as (...args: unknown[]) => void).call(this, message, ...rest);
        } as typeof Worker.prototype.postMessage;
      }),
    )) as [CallPerson, CallPerson, CallPerson];
    await alice.page.getByRole('button', { name: 'Start group call' }).click();
    await joinFromRing(bob);
    await joinFromRing(carol);
    for (const person of [alice, bob, carol]) {
      await expect(person.page.getByTestId('group-call-count')).toContainText('3 participants', { timeout: 20_000 });
      await expect.poll(async () => (await groupMediaStats(person.page)).videoFrames.filter((n) => n > 10).length, { timeout: 45_000 }).toBeGreaterThanOrEqual(2);
    }

    // Carol leaves: Alice and Bob each draw a fresh key, send it to the other, and switch to it
    // after the rotation delay. Only once both switched and both got the other's is it all there.
    const before = new Map<CallPerson, WorkerKeyMessage>();
    for (const person of [alice, bob]) before.set(person, newestOwnKey(await keysOf(person.page))!);
    await groupCall(carol.page).getByRole('button', { name: 'Leave' }).click();
    await carol.page.getByTestId('group-call').getByRole('button', { name: 'OK' }).click();
    const fresh = new Map<CallPerson, WorkerKeyMessage>();
    for (const [person, other] of [[alice, bob], [bob, alice]] as const) {
      await expect
        .poll(async () => {
          const own = newestOwnKey(await keysOf(person.page));
          if (!own || own.generation <= before.get(person)!.generation) return `${person.name} still sends under generation ${before.get(person)!.generation}`;
          const received = (await keysOf(other.page)).some((k) => k.type === 'group-peer-key' && k.sender === own.sender && k.generation === own.generation && k.secret === own.secret);
          if (!received) return `${other.name} has not got ${person.name}'s generation ${own.generation}`;
          fresh.set(person, own);
          return 'switched and delivered';
        }, { timeout: 20_000, message: `${person.name}'s post-leave key is in use and reached ${other.name}` })
        .toBe('switched and delivered');
    }

    const captured = [...(await keysOf(alice.page)), ...(await keysOf(bob.page)), ...(await keysOf(carol.page))];
    const keys = [...new Set(captured.map((k) => k.secret))];
    // Everyone's first key, the ratcheted ones after each join, and the two fresh ones, at least.
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const key of fresh.values()) expect(keys).toContain(key.secret);
    // The controls' needles, taken from Alice's browser and the server's accounts.
    const identities = await identityKeysIn(alice.page);
    expect(identities.length).toBeGreaterThanOrEqual(2);
    const userIds = accountIds(system.dataDir, [alice.handle, bob.handle, carol.handle]);

    // Janus's WebSocket API, on loopback next to the server: a client without the API secret is refused.
    const janusPid = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'janus'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    const args = readFileSync(`/proc/${janusPid}/cmdline`, 'latin1').split('\0');
    const configDir = args[args.indexOf('-F') + 1]!;
    const port = /ws_port = (\d+)/.exec(readFileSync(join(configDir, 'janus.transport.websockets.jcfg'), 'utf8'))![1];
    // From this test process: a page could not even try (the shell's CSP allows no such socket).
    const answer = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`, 'janus-protocol');
      const timer = setTimeout(() => resolve('no answer'), 5_000);
      socket.on('open', () => socket.send(JSON.stringify({ janus: 'create', transaction: 'probe' })));
      socket.on('message', (data) => {
        clearTimeout(timer);
        resolve(String(data));
        socket.close();
      });
      socket.on('error', () => resolve('unreachable'));
    });
    // The port is Janus's own (read from its config), so it answers: refused for want of the secret.
    expect(answer).toMatch(/"janus"\s*:\s*"error".*"code"\s*:\s*403/);

    for (const person of [alice, bob, carol]) await person.context.close();
    await system.stop({ keepData: true });
    const stored = dataFolderText(system.dataDir);
    const logText = log.join('');
    expect(foundBytes(stored, keys)).toEqual([]);
    expect(foundBytes(logText, keys)).toEqual([]);
    // The controls, the same scan on the same haystacks: the handles are stored in clear by design,
    // the others' identity keys too (public keys, raw bytes), and the user ids (16 random bytes,
    // base64url) are logged at debug by design.
    expect.soft(foundTexts(stored, [alice.handle, bob.handle]), 'handles in the data folder').toEqual([alice.handle, bob.handle]);
    expect.soft(foundBytes(stored, identities), 'identity keys in the data folder').toEqual(identities);
    expect.soft(foundBytes(logText, userIds), 'user ids in the log').toEqual(userIds);
  } finally {
    await system.stop();
  }
});

/** The user ids of these handles (random bytes, base64url in the database), hex. */
function accountIds(dataDir: string, handles: readonly string[]): string[] {
  const db = new Database(join(dataDir, 'parley.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const select = db.prepare('SELECT user_id FROM accounts WHERE handle = ?');
    return handles.map((handle) => Buffer.from((select.get(handle) as { user_id: string }).user_id, 'base64url').toString('hex'));
  } finally {
    db.close();
  }
}
