/**
 * Release-train benchmark: how long `GET /api/manifest` takes (rules evaluated for the user and the
 * manifest signed, on every request), the evaluation alone, and how long after `release promote`
 * returns the change is visible to the next manifest fetch (the CLI run as its own process, writing
 * to the same data folder as the running server, as in production).
 *
 *   npx tsx tools/bench/manifest.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { toBase64 } from '@parley/bytes';
import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';
import { type Addresses, REPO_ROOT, configFromEnv, createParleyServer, evaluateManifest } from '@parley/server';

const REQUESTS = 2_000;

function fakeBuild(root: string, entry: string): string {
  const dir = join(root, `build-${entry}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'remoteEntry.js'), `var call = ${JSON.stringify(entry)};`);
  writeFileSync(join(dir, 'mf-manifest.json'), JSON.stringify({ metaData: { name: 'call' } }));
  return dir;
}

/**
 * Signs up `count` accounts through the API (real device tokens; one identity signs every
 * account's keys, the server checks signatures, not uniqueness) and returns user id and token of each.
 */
async function signUp(api: string, prefix: string, count: number): Promise<Array<{ userId: string; token: string }>> {
  const identity = IdentityKeyPair.generate();
  const sign = (bytes: Uint8Array<ArrayBuffer>) => toBase64(identity.privateKey.sign(bytes));
  const ec = PrivateKey.generate().getPublicKey().serialize();
  const kem = KEMKeyPair.generate().getPublicKey().serialize();
  const device = {
    registrationId: 1,
    signedPreKey: { keyId: 1, publicKey: toBase64(ec), signature: sign(ec) },
    kyberLastResortPreKey: { keyId: 2, publicKey: toBase64(kem), signature: sign(kem) },
    oneTimePreKeys: [],
    kyberOneTimePreKeys: [],
  };
  const accounts: Array<{ userId: string; token: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const body = { handle: `${prefix}.${i}`, displayName: `${prefix} ${i}`, identityKey: toBase64(identity.publicKey.serialize()), device };
    const response = await fetch(`${api}/api/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status !== 201) throw new Error(`sign-up answered ${response.status}: ${await response.text()}`);
    accounts.push((await response.json()) as { userId: string; token: string });
  }
  return accounts;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (value: number) => `${value.toFixed(3)} ms`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-manifest-'));
  const server = createParleyServer({
    ...configFromEnv({ PARLEY_DATA_DIR: dataDir, PARLEY_API_PORT: '0', PARLEY_LOG_LEVEL: 'warn', PARLEY_RATE_LIMITS: 'off' }),
    apps: {},
    publishLocalBuilds: false,
    remoteOrigins: { chat: 'http://localhost:4201', call: 'http://localhost:4202' },
  });
  const { api } = (await server.start()) as Addresses;
  try {
    // A realistic rule set: a default, a beta, two rollouts and a short allowlist.
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) await server.registry.publish({ remote: 'call', version, distDir: fakeBuild(dataDir, version) });
    await server.registry.setDefault('call', '1.0.0');
    await server.registry.promoteBeta('call', '2.0.0');
    await server.registry.promotePercent('call', '1.1.0', 30);
    await server.registry.promotePercent('call', '2.0.0', 5);
    await server.registry.promoteUsers('call', '2.0.0', ['qa-1', 'qa-2', 'qa-3']);

    const [warm, users, [promoted]] = [await signUp(api, 'warm', 200), await signUp(api, 'user', REQUESTS), await signUp(api, 'promoted', 1)];
    const fetchManifest = async (user: { token: string }) => {
      const response = await fetch(`${api}/api/manifest?contract=1.0.0`, { headers: { authorization: `Bearer ${user.token}` } });
      return JSON.parse(((await response.json()) as { manifest: string }).manifest) as { remotes: { call?: { version: string } } };
    };
    for (const user of warm) await fetchManifest(user);

    const request: number[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      const started = performance.now();
      await fetchManifest(users[i]!);
      request.push(performance.now() - started);
    }
    request.sort((a, b) => a - b);

    const evaluation: number[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      const started = performance.now();
      await evaluateManifest(
        { registry: server.registry, originFor: () => 'http://localhost:4202' },
        { userId: users[i]!.userId, beta: false, contractVersion: '1.0.0', now: Date.now(), ttlMs: 300_000 },
      );
      evaluation.push(performance.now() - started);
    }
    evaluation.sort((a, b) => a - b);

    // promote → visible: the CLI as its own process, then fetch until the user sees the change.
    const cliStarted = performance.now();
    const cli = spawnSync('npx', ['tsx', join(REPO_ROOT, 'tools/release/src/cli.ts'), 'promote', 'call', '2.0.0', '--users', promoted!.userId, '--data-dir', dataDir], {
      encoding: 'utf8',
    });
    if (cli.status !== 0) throw new Error(`release promote failed: ${cli.stderr}`);
    const cliDone = performance.now();
    let fetches = 0;
    while ((await fetchManifest(promoted!)).remotes.call?.version !== '2.0.0') fetches += 1;
    const visible = performance.now();

    console.log('| measure | p50 | p99 |');
    console.log('|---|---:|---:|');
    console.log(`| GET /api/manifest (evaluate 2 remotes + Ed25519 sign + HTTP), ${REQUESTS} sequential | ${ms(quantile(request, 0.5))} | ${ms(quantile(request, 0.99))} |`);
    console.log(`| evaluation alone (registry reads + rules), ${REQUESTS} users | ${ms(quantile(evaluation, 0.5))} | ${ms(quantile(evaluation, 0.99))} |`);
    console.log('');
    console.log(`promote → visible: \`release promote\` process ${ms(cliDone - cliStarted)} (mostly tsx start-up), then visible to the very next fetch ` +
      `(${fetches} stale fetches, ${ms(visible - cliDone)} after the CLI returned)`);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
