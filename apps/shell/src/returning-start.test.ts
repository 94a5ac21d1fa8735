// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { LAST_MANIFEST_KEY, LAST_SIGNED_MANIFEST_KEY } from './manifest/stored-manifest.js';
import { CONTRACT_VERSION } from '@parley/contracts';
import { ENTRY_CONTRACT_VERSION, looksSignedIn, startSignedInDownloads } from './returning-start.js';

const storageWith = (entries: Record<string, string>) => () => ({ getItem: (key: string) => entries[key] ?? null });
const INTEGRITY = 'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb';
const ENTRY = 'https://chat.example/releases/1.2.0/remoteEntry.js';
const envelope = JSON.stringify({ manifest: JSON.stringify({ remotes: { chat: { entry: ENTRY, integrity: INTEGRITY } } }), signature: null });

describe('ENTRY_CONTRACT_VERSION', () => {
  it('is the contract version the shell speaks', () => {
    expect(ENTRY_CONTRACT_VERSION).toBe(CONTRACT_VERSION);
  });
});

describe('looksSignedIn', () => {
  it('is true once this browser accepted a manifest, false before', () => {
    expect(looksSignedIn(storageWith({ [LAST_MANIFEST_KEY]: '1700000000000' }))).toBe(true);
    expect(looksSignedIn(storageWith({ 'parley.locale': 'ru' }))).toBe(false);
  });

  it('is false when storage cannot be read', () => {
    expect(
      looksSignedIn(() => {
        throw new DOMException('denied', 'SecurityError');
      }),
    ).toBe(false);
  });
});

describe('startSignedInDownloads', () => {
  beforeEach(() => {
    document.head.innerHTML = '';
  });

  it('starts the downloads and hints the last chat entry, with its integrity, for a returning browser only', () => {
    const loads: string[] = [];
    startSignedInDownloads(storageWith({}), async () => loads.push('first visit'), document, async () => void loads.push('first visit manifest'));
    expect(document.head.querySelector('link')).toBeNull();
    startSignedInDownloads(
      storageWith({ [LAST_MANIFEST_KEY]: '1', [LAST_SIGNED_MANIFEST_KEY]: envelope }),
      async () => loads.push('returning'),
      document,
      async () => void loads.push('returning manifest'),
    );
    expect(loads).toEqual(['returning', 'returning manifest']);
    const link = document.head.querySelector<HTMLLinkElement>('link[rel="preload"]');
    expect(link?.getAttribute('href')).toBe(ENTRY);
    expect(link?.getAttribute('integrity')).toBe(INTEGRITY);
  });

  it('leaves a failed download to the later request: nothing is thrown or left unhandled', async () => {
    let failed: Promise<unknown> | undefined;
    let manifestFailed: Promise<void> | undefined;
    startSignedInDownloads(
      storageWith({ [LAST_MANIFEST_KEY]: '1' }),
      () => (failed = Promise.reject(new Error('offline'))),
      document,
      () => (manifestFailed = Promise.reject(new Error('no database'))),
    );
    await expect(failed).rejects.toThrow('offline');
    await expect(manifestFailed).rejects.toThrow('no database');
  });
});
