// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { lastChatEntry, preloadLastChatEntry } from './preload-chat-entry.js';
import { LAST_SIGNED_MANIFEST_KEY } from './stored-manifest.js';

const INTEGRITY = 'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb';
const envelope = (chat: unknown) => JSON.stringify({ manifest: JSON.stringify({ remotes: { chat } }), signature: null });

describe('lastChatEntry', () => {
  it('names the chat entry and integrity of the stored envelope', () => {
    expect(lastChatEntry(envelope({ entry: 'https://chat.example/releases/1.2.0/remoteEntry.js', integrity: INTEGRITY, version: '1.2.0' }))).toEqual({
      entry: 'https://chat.example/releases/1.2.0/remoteEntry.js',
      integrity: INTEGRITY,
    });
  });

  it('names nothing for no envelope, a broken one, no chat, another scheme or no well-formed integrity', () => {
    expect(lastChatEntry(null)).toBeNull();
    expect(lastChatEntry('{not json')).toBeNull();
    expect(lastChatEntry(JSON.stringify({ manifest: '{"remotes":' }))).toBeNull();
    expect(lastChatEntry(envelope(undefined))).toBeNull();
    expect(lastChatEntry(envelope({ entry: 'javascript:alert(1)', integrity: INTEGRITY }))).toBeNull();
    expect(lastChatEntry(envelope({ entry: 'https://chat.example/remoteEntry.js', integrity: 'sha1-abc' }))).toBeNull();
    expect(lastChatEntry(envelope({ entry: 'https://chat.example/remoteEntry.js' }))).toBeNull();
  });
});

describe('preloadLastChatEntry', () => {
  it('hints the last chat entry as a script preload with its integrity, cross-origin without credentials', () => {
    const stored = envelope({ entry: 'https://chat.example/releases/1.2.0/remoteEntry.js', integrity: INTEGRITY });
    preloadLastChatEntry({ getItem: (key) => (key === LAST_SIGNED_MANIFEST_KEY ? stored : null) }, document);
    const link = document.head.querySelector<HTMLLinkElement>('link[rel="preload"]');
    expect(link?.getAttribute('href')).toBe('https://chat.example/releases/1.2.0/remoteEntry.js');
    expect(link?.getAttribute('as')).toBe('script');
    expect(link?.getAttribute('integrity')).toBe(INTEGRITY);
    expect(link?.getAttribute('crossorigin')).toBe('anonymous');
  });

  it('hints nothing when no manifest was accepted here', () => {
    document.head.innerHTML = '';
    preloadLastChatEntry({ getItem: () => null }, document);
    expect(document.head.querySelector('link')).toBeNull();
  });
});
