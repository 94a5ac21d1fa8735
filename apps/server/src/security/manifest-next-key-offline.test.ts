import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignedManifest } from '@parley/rollout';
import { createSignedManifest } from '@parley/rollout/sign';
import { CONTRACT_VERSION, type EvaluatedManifest } from '@parley/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateManifestKeys, rotateManifestKeys } from '../releases/manifest-keys.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A key file as `npm start` generates it, in a fresh folder. */
function generatedKeyFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'parley-keys-'));
  folders.push(folder);
  const file = join(folder, 'manifest-signing-keys.json');
  loadOrCreateManifestKeys(file);
  return file;
}

const manifest: EvaluatedManifest = { schemaVersion: 1, userId: 'u-1', issuedAt: 1, expiresAt: 2, contractVersion: CONTRACT_VERSION, remotes: {} };

describe('the next manifest signing key can be kept off the server', () => {
  it('runs with only the public half of the next key in the key file: it signs with the current key and still publishes both to pin', async () => {
    const file = generatedKeyFile();
    const full = loadOrCreateManifestKeys(file);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    const offlineNextPrivateKey: string = stored.next.privateKey;
    writeFileSync(file, JSON.stringify({ current: stored.current, next: { keyId: stored.next.keyId, publicKey: full.pinned[1]!.publicKey } }));

    const online = loadOrCreateManifestKeys(file);
    expect(online.pinned).toEqual(full.pinned);
    expect(online.signing.keyId).toBe(full.signing.keyId);
    expect(readFileSync(file, 'utf8')).not.toContain(offlineNextPrivateKey);
    const signed = createSignedManifest(manifest, online.signing.privateKey, online.signing.keyId);
    expect((await verifySignedManifest(signed, online.pinned)).ok).toBe(true);
  });

  it('refuses to rotate until the next key\'s private half is brought in, then rotates to it', () => {
    const file = generatedKeyFile();
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    const full = loadOrCreateManifestKeys(file);
    writeFileSync(file, JSON.stringify({ current: stored.current, next: { keyId: stored.next.keyId, publicKey: full.pinned[1]!.publicKey } }));
    expect(() => rotateManifestKeys(file)).toThrow(/only the public half of the next key/);

    writeFileSync(file, JSON.stringify(stored));
    expect(rotateManifestKeys(file).signing.keyId).toBe(stored.next.keyId);
  });
});
