/**
 * Test support for the suites that run against a real Janus: one server for the whole suite, with
 * Janus started by it on the test network's interface, and the devices its tests connect.
 */
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_JANUS_BINARY, type ServerConfig } from '../config.js';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestAccounts, tempFolder, testConfig } from '../testing/test-support.js';
import { SfuTestDevice } from './sfu-test-client.js';

/** What `janusServerPerSuite` gives a suite; read its members inside tests and later hooks. */
export interface JanusTestServer {
  /** The suite's data folder. */
  readonly folder: string;
  readonly server: ParleyServer;
  /** The API's base URL (a new one after `restart`). */
  readonly api: string;
  /** One account per handle, signed up on first use. */
  readonly accounts: TestAccounts;
  /** The user id of `handle`'s account. */
  id(handle: string): Promise<string>;
  /** The first device of `handle`'s account, connected to the relay (closed after the suite). */
  connect(handle: string): Promise<SfuTestDevice>;
  /** Stops the server and starts it again on the same folder. */
  restart(): Promise<void>;
}

/**
 * Starts a server with an auto-started Janus (on PARLEY_JANUS_INTERFACE when set), a 300 ms
 * disconnect grace and `overrides`, before the suite's tests; after them, closes the devices they
 * connected, stops the server and removes its folder.
 */
export function janusServerPerSuite(overrides: Partial<ServerConfig> = {}): JanusTestServer {
  const iceInterface = process.env.PARLEY_JANUS_INTERFACE;
  let folder: Awaited<ReturnType<typeof tempFolder>> | undefined;
  let running: { readonly server: ParleyServer; api: string } | undefined;
  const devices: SfuTestDevice[] = [];
  const current = () => {
    if (!running) throw new Error('janusServerPerSuite: the server has not started');
    return running;
  };
  const accounts = new TestAccounts(() => current().api);

  beforeAll(async () => {
    folder = await tempFolder();
    const server = createParleyServer(
      testConfig(folder.path, {
        janus: { mode: 'auto', binary: DEFAULT_JANUS_BINARY, ...(iceInterface ? { iceInterface } : {}) },
        sfuDisconnectGraceMs: 300,
        ...overrides,
      }),
    );
    running = { server, api: (await server.start()).api };
  }, 30_000);

  afterAll(async () => {
    for (const device of devices) device.close();
    await running?.server.stop();
    await folder?.remove();
  });

  return {
    get folder() {
      if (!folder) throw new Error('janusServerPerSuite: read the folder inside a test');
      return folder.path;
    },
    get server() {
      return current().server;
    },
    get api() {
      return current().api;
    },
    accounts,
    id: async (handle) => (await accounts.of(handle)).userId,
    async connect(handle) {
      const device = await SfuTestDevice.connect(current().api, await accounts.token(handle));
      devices.push(device);
      return device;
    },
    async restart() {
      const { server } = current();
      await server.stop();
      current().api = (await server.start()).api;
    },
  };
}
