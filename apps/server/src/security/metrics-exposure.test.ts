/**
 * Metrics stay off the public origins (issue 17): counts of devices and calls say something about
 * the people on a server, so they are served only on their own listener, on the server's host.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../config.js';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { tempFolder, testConfig } from '../test-support.js';

describe('metrics exposure', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer | null = null;

  beforeEach(async () => {
    folder = await tempFolder();
  });
  afterEach(async () => {
    await server?.stop();
    await folder.remove();
  });

  it('the API and the app origins do not serve /metrics, even with the metrics listener on', async () => {
    const dist = folder.path;
    server = createParleyServer(testConfig(folder.path, { metricsPort: 0, apps: { shell: { port: 0, distDir: dist }, chat: { port: 0, distDir: dist } } }));
    const addresses = await server.start();
    expect(addresses.metrics).toBeDefined();
    for (const origin of [addresses.api, addresses.shell!, addresses.chat!]) {
      const response = await fetch(`${origin}/metrics`);
      expect(await response.text(), origin).not.toContain('parley_connected_devices');
    }
  });

  it('there is no metrics listener unless PARLEY_METRICS_PORT asks for one', async () => {
    expect(configFromEnv({}).metricsPort).toBeUndefined();
    expect(configFromEnv({ PARLEY_METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    server = createParleyServer(testConfig(folder.path));
    expect((await server.start()).metrics).toBeUndefined();
  });
});
