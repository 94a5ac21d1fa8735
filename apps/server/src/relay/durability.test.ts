/**
 * Durability: every message the server acknowledged survives a crash (SIGKILL in the middle of a
 * flood) and is delivered exactly once after the restart.
 */
import { randomBytes } from 'node:crypto';
import { RELAY_PATH } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from '../testing/child-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, TestRelayClient, tempFolder } from '../testing/test-support.js';

const MESSAGES = 1_000;
/** Sends outstanding at once, so the kill lands with some of them in flight. */
const IN_FLIGHT = 64;
/** Acknowledged sends after which the server is killed. */
const KILL_AFTER = 450;

describe('durability', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  const children: ChildServer[] = [];

  beforeEach(async () => {
    folder = await tempFolder();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await folder.remove();
  });

  it(`delivers every acknowledged message exactly once after a SIGKILL in a ${MESSAGES}-message flood`, { timeout: 45_000 }, async () => {
    const env = { PARLEY_RATE_LIMITS: 'off' };
    const first = await startChildServer(folder.path, env);
    children.push(first);
    const http = new TestApi(first.addresses.api);
    const alice = await http.register(new TestIdentity().account('alice'));
    const bob = await http.register(new TestIdentity().account('bob'));

    // The flood: alice → bob (offline), at most IN_FLIGHT sends unanswered.
    const sender = await TestRelayClient.signedIn(first.addresses.api, RELAY_PATH, alice.token);
    await sender.settle();
    const acknowledged = new Set<string>();
    let sent = 0;
    let killed = false;
    const sendNext = () => {
      const id = `m-${String(sent++).padStart(4, '0')}`;
      sender.send({ t: 'send', id, to: bob.userId, messages: [{ deviceId: 1, type: 2, ciphertext: randomBytes(48).toString('base64') }] });
    };
    while (sent < Math.min(IN_FLIGHT, MESSAGES)) sendNext();
    for (;;) {
      const frame = (await Promise.race([sender.next(10_000), sender.closed])) as { t?: string; ref?: string; ok?: boolean; code?: number };
      if (frame.t !== 'result') break; // the connection closed: the server is gone
      if (frame.ok && frame.ref) acknowledged.add(frame.ref);
      if (!killed && acknowledged.size >= KILL_AFTER) {
        first.process.kill('SIGKILL');
        killed = true;
      }
      if (sent < MESSAGES && !killed) sendNext();
    }
    expect(await first.exited).toBe('SIGKILL');

    // Restart on the same data folder; bob connects and reads everything, acking as he goes.
    const second = await startChildServer(folder.path, env);
    children.push(second);
    const recipient = await TestRelayClient.signedIn(second.addresses.api, RELAY_PATH, bob.token);
    const delivered = new Map<string, number>();
    const envelopeIds = new Set<string>();
    let duplicatedEnvelopes = 0;
    for (;;) {
      const frame = (await recipient.next(1_500).catch(() => null)) as { t: string; id: string; messageId: string } | null;
      if (!frame) break;
      if (frame.t !== 'deliver') continue;
      if (envelopeIds.has(frame.id)) duplicatedEnvelopes += 1;
      envelopeIds.add(frame.id);
      delivered.set(frame.messageId, (delivered.get(frame.messageId) ?? 0) + 1);
      recipient.send({ t: 'ack', id: frame.id });
    }
    recipient.close();
    await recipient.closed;

    // Acked envelopes are gone for good: a reconnect brings nothing more.
    const again = await TestRelayClient.signedIn(second.addresses.api, RELAY_PATH, bob.token);
    await again.settle();
    expect(again.pending).toBe(0);
    again.close();

    const lost = [...acknowledged].filter((id) => !delivered.has(id));
    const duplicated = [...delivered.values()].filter((n) => n > 1).length + duplicatedEnvelopes;
    const unacknowledgedButStored = [...delivered.keys()].filter((id) => !acknowledged.has(id)).length;
    console.log(
      `durability: sent ${sent}, acknowledged ${acknowledged.size}, delivered after restart ${delivered.size} ` +
        `(${unacknowledgedButStored} stored but not yet acknowledged at the kill), lost ${lost.length}, duplicated ${duplicated}`,
    );
    expect(lost).toEqual([]);
    expect(duplicated).toBe(0);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
  });
});
