/**
 * Metrics stay off the public origins (issue 17): counts of devices and calls say something about
 * the people on a server, so they are served only on their own listener, on the server's host.
 */
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../config.js';
import { serverPerTest } from '../testing/test-support.js';

describe('metrics exposure', () => {
  const perTest = serverPerTest();

  it('the API and the app origins do not serve /metrics, even with the metrics listener on', async () => {
    const dist = perTest.folder;
    const addresses = await perTest.start({ metricsPort: 0, apps: { shell: { port: 0, distDir: dist }, chat: { port: 0, distDir: dist } } });
    expect(addresses.metrics).toBeDefined();
    for (const origin of [addresses.api, addresses.shell!, addresses.chat!]) {
      const response = await fetch(`${origin}/metrics`);
      expect(await response.text(), origin).not.toContain('parley_connected_devices');
    }
  });

  it('there is no metrics listener unless PARLEY_METRICS_PORT asks for one', async () => {
    expect(configFromEnv({}).metricsPort).toBeUndefined();
    expect(configFromEnv({ PARLEY_METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect((await perTest.start()).metrics).toBeUndefined();
  });
});
