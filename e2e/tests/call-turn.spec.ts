/**
 * A relay-only call through a real coturn started by the test: the server is configured with
 * PARLEY_TURN_URLS / PARLEY_TURN_SECRET / PARLEY_TURN_RELAY_ONLY=1, so each call app fetches
 * short-lived TURN REST credentials from `GET /api/turn` (with its device token) and may use relay
 * candidates only. The call connecting at all proves coturn accepted the HMAC credentials.
 *
 * coturn runs with the deployment's configuration (deploy/coturn/turnserver.conf), which denies
 * relaying to loopback and private peers: in the test namespace it relays on 198.51.100.1
 * (e2e/support/coturn.ts), and a TURN client proves loopback peers are refused.
 */
import { expect, test } from '@playwright/test';
import { type RunningSystem, startSystem } from '../support/system.js';
import { type RunningCoturn, coturnMissing, startCoturn } from '../support/coturn.js';
import { callPerson, connect } from '../support/calls.js';
import { callStats, iceServers } from '../support/peer-connections.js';
import { expectEncryptedMedia } from '../support/sframe-wire.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import { TurnTestClient, turnRestCredentials } from '../support/turn-client.js';

test('video call relayed through coturn with TURN REST credentials from the server, both ways encrypted', async ({ browser }) => {
  const missing = coturnMissing();
  skipWhenMissing(missing);
  let coturn: RunningCoturn | null = null;
  let system: RunningSystem | null = null;
  try {
    coturn = await startCoturn();
    system = await startSystem({ env: { PARLEY_TURN_URLS: coturn.url, PARLEY_TURN_SECRET: coturn.secret, PARLEY_TURN_RELAY_ONLY: '1' } });
    const alice = await callPerson(browser, system, 'Alice Liddell');
    const bob = await callPerson(browser, system, 'Bob Dylan');
    await connect(alice, bob, 'Video call');
    for (const { page } of [alice, bob]) {
      await expect.poll(async () => (await callStats(page)).videoFrames, { timeout: 15_000 }).toBeGreaterThan(10);
      await expect.poll(async () => (await callStats(page)).audioSamples, { timeout: 15_000 }).toBeGreaterThan(0);
      // The credential the call app got from the server: `<expiry>:<userId>`, valid for hours, not days.
      const [server] = await iceServers(page);
      expect(server?.urls).toEqual([coturn.url]);
      const [expiry, userId] = String(server?.username).split(':');
      expect(userId).toMatch(/^[\w-]{8,}$/);
      expect(Number(expiry) * 1000).toBeGreaterThan(Date.now());
      expect(Number(expiry) * 1000).toBeLessThan(Date.now() + 7 * 3_600_000);
      const stats = await callStats(page);
      expect(stats.iceTransportPolicy).toBe('relay');
      expect(stats.localCandidateType).toBe('relay');
      // The stats panel says so too.
      await page.getByTestId('call-panel').getByRole('button', { name: 'More' }).click();
      await page.getByTestId('call-stats').locator('summary').click();
      await expect(page.getByTestId('stats-route')).toHaveAttribute('data-route', 'relay', { timeout: 5_000 });
      await expect(page.getByTestId('stats-route')).toHaveText('Relayed (TURN)');
      await expect(page.getByTestId('decrypt-failing')).toHaveCount(0);
    }
    // Both ways encrypted: each decrypts the other's frames, and no plaintext crossed the relay.
    await expectEncryptedMedia([alice, bob], ['audio', 'video']);
    // coturn authenticated both users with the REST scheme and relayed their media.
    const log = coturn.log();
    expect(log).toMatch(/ALLOCATE processed, success/);

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await expect(bob.page.getByTestId('call-panel')).toHaveAttribute('data-outcome', 'hung-up', { timeout: 20_000 });
    for (const { context } of [alice, bob]) await context.close();
  } finally {
    await system?.stop();
    await coturn?.stop();
  }
});

test('coturn with the deployment configuration refuses to relay to loopback and private peers (issue 21)', async () => {
  const missing = coturnMissing();
  skipWhenMissing(missing);
  skipWhenMissing(process.env.PARLEY_TEST_PUBLIC_IP ? null : 'needs the test namespace (tools/test/in-loopback-namespace.sh): outside it coturn runs on loopback with a test-only allowed-peer-ip');
  const coturn = await startCoturn();
  const { username, password } = turnRestCredentials(coturn.secret, 'mallory');
  const client = await TurnTestClient.allocate(coturn.address, coturn.port, username, password);
  try {
    for (const peer of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '172.16.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0']) {
      expect(await client.createPermission(peer), peer).toMatchObject({ ok: false, code: 403 });
    }
    // The same client may relay to a public address: the refusals are the configuration's.
    expect(await client.createPermission('198.51.100.7')).toEqual({ ok: true });
  } finally {
    client.close();
    await coturn.stop();
  }
});
