/**
 * What the server learns of a group call: it drives Janus but never holds a media key. Both
 * browsers' SFrame sender secrets are captured as they go to their workers (an init script on
 * Worker.postMessage, test-only); after the call, the server's data folder and debug log (Janus's
 * own output included) hold none of them, while the call id (stored in clear by design) is found.
 * And Janus's API, bound to loopback on the server, refuses a client without its API secret.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import { groupCall, groupMediaStats, groupOf, joinFromRing } from '../support/group-calls.js';
import { dataFolderText, foundBytes, foundTexts } from '../support/server-scan.js';
import { startSystem } from '../support/system.js';

interface KeyCapture {
  __parleyMediaKeys: string[];
}

test('the server never holds a media key of a group call, and Janus refuses clients without its secret', async ({ browser }) => {
  test.setTimeout(180_000);
  const log: string[] = [];
  const system = await startSystem({ logLevel: 'debug', logDestination: { write: (line) => void log.push(line) } });
  try {
    const [alice, bob] = await groupOf(browser, system, ['Alice Liddell', 'Bob Dylan'], 'Secret society', (context) =>
      context.addInitScript(() => {
        const keys: string[] = [];
        (window as unknown as KeyCapture).__parleyMediaKeys = keys;
        const post = Worker.prototype.postMessage;
        Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
          const key = (message as { key?: { secret?: Uint8Array } } | null)?.key;
          if (key?.secret instanceof Uint8Array) keys.push(Array.from(key.secret, (b) => b.toString(16).padStart(2, '0')).join(''));
          return (post as (...args: unknown[]) => void).call(this, message, ...rest);
        } as typeof Worker.prototype.postMessage;
      }),
    );
    await alice!.page.getByRole('button', { name: 'Start group call' }).click();
    await joinFromRing(bob!);
    for (const person of [alice!, bob!]) {
      await expect.poll(async () => (await groupMediaStats(person.page)).videoFrames.some((n) => n > 10), { timeout: 45_000 }).toBe(true);
    }
    // Bob leaves: Alice draws a fresh key for those who remain (used after the rotation delay).
    await groupCall(bob!.page).getByRole('button', { name: 'Leave' }).click();
    await bob!.page.getByTestId('group-call').getByRole('button', { name: 'OK' }).click();
    await expect.poll(async () => alice!.page.evaluate(() => (window as unknown as KeyCapture).__parleyMediaKeys.length), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);

    const keys = [...new Set([...(await alice!.page.evaluate(() => (window as unknown as KeyCapture).__parleyMediaKeys)), ...(await bob!.page.evaluate(() => (window as unknown as KeyCapture).__parleyMediaKeys))])];
    // Alice's own first key, Bob's key as Alice received it, and Alice's fresh key after Bob left, at least.
    expect(keys.length).toBeGreaterThanOrEqual(3);

    // Janus's WebSocket API, on loopback next to the server: a client without the API secret is refused.
    const janusPid = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'janus'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    const args = readFileSync(`/proc/${janusPid}/cmdline`, 'latin1').split('\0');
    const configDir = args[args.indexOf('-F') + 1]!;
    const port = /ws_port = (\d+)/.exec(readFileSync(join(configDir, 'janus.transport.websockets.jcfg'), 'utf8'))![1];
    // From the test, not a page: the shell's Content-Security-Policy rightly stops a page from
    // opening a socket to anything but Parley's own origins.
    const answer = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`, 'janus-protocol');
      socket.on('open', () => socket.send(JSON.stringify({ janus: 'create', transaction: 'probe' })));
      socket.on('message', (data) => {
        resolve(String(data));
        socket.close();
      });
      socket.on('error', () => resolve('unreachable'));
      setTimeout(() => resolve('no answer'), 5_000);
    });
    // The port is Janus's own (read from its config), so it answers: refused for want of the secret.
    expect(answer).toMatch(/"janus"\s*:\s*"error".*"code"\s*:\s*403/);

    await alice!.context.close();
    await bob!.context.close();
    await system.stop({ keepData: true });
    const stored = dataFolderText(system.dataDir);
    const logText = log.join('');
    expect(foundBytes(stored, keys)).toEqual([]);
    expect(foundBytes(logText, keys)).toEqual([]);
    // The positive control: the handles are stored in clear by design, and the same scan finds them.
    expect(foundTexts(stored, [alice!.handle, bob!.handle])).toEqual([alice!.handle, bob!.handle]);
    // And the keys were real: the scan finds them in a haystack that holds them (base64, as sent).
    expect(foundBytes(keys.map((hex) => Buffer.from(hex, 'hex').toString('base64')).join(' '), keys)).toEqual(keys);
  } finally {
    await system.stop();
  }
});
