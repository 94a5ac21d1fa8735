/**
 * /metrics (issue 17): what an operator watches, in Prometheus's format, on a listener of its own.
 */
import { RELAY_PATH } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../config.js';
import { type Addresses, type ParleyServer, createParleyServer } from '../create-server.js';
import { TestApi, TestRelayClient, registerAccount, tempFolder, testConfig } from '../testing/test-support.js';

/** The value of one sample line, e.g. `parley_relay_queue_depth` or `parley_rate_limit_refusals_total{limit="anonymous"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let addresses: Addresses;
  const clients: TestRelayClient[] = [];

  beforeEach(async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { metricsPort: 0, rateLimits: { ...DEFAULT_RATE_LIMITS, anonymous: { burst: 2, perSecond: 0.001 } } }));
    addresses = await server.start();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.stop();
    await folder.remove();
  });

  const scrape = async () => {
    const response = await fetch(addresses.metrics!);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return response.text();
  };

  it('counts connected devices, relay messages, the queue waiting for offline devices and rate-limit refusals', async () => {
    expect(addresses.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const before = await scrape();
    expect(before).toContain('# TYPE parley_relay_messages_total counter');
    expect(sample(before, 'parley_connected_devices')).toBe(0);

    const alice = await registerAccount(addresses.api, 'alice');
    const bob = await registerAccount(addresses.api, 'bob');
    const sender = await TestRelayClient.signedIn(addresses.api, RELAY_PATH, alice.token);
    clients.push(sender);
    await sender.settle();
    sender.send({ t: 'send', id: 'm1', to: bob.userId, messages: [{ deviceId: 1, type: 2, ciphertext: Buffer.from('x').toString('base64') }] });
    expect(await sender.until('result')).toMatchObject({ ok: true });
    // Account creation is anonymous: the third one within the burst of two is refused.
    const refused = await new TestApi(addresses.api).request('POST', '/api/accounts', { body: {} });
    expect(refused.status).toBe(429);

    const after = await scrape();
    expect(sample(after, 'parley_connected_devices')).toBe(1);
    expect(sample(after, 'parley_relay_messages_total')).toBe(1);
    expect(sample(after, 'parley_relay_queue_depth')).toBe(1);
    expect(sample(after, 'parley_rate_limit_refusals_total{limit="anonymous"}')).toBe(1);
    expect(sample(after, 'parley_group_calls')).toBe(0);
    expect(after).toContain('# TYPE parley_http_errors_total counter');
  });

  it('answers nothing but /metrics on its listener', async () => {
    const other = await fetch(addresses.metrics!.replace('/metrics', '/api/health'));
    expect(other.status).toBe(404);
  });
});
