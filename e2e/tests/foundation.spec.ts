import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, openShell, test } from '../support/fixtures.js';
import type { DebugWindow } from '../support/debug.js';
import { DEFAULT_CONTRACTS, builtVersion } from '@parley/server';
import { fingerprint } from '../support/built-files.js';
import { distOf } from '../support/system.js';

const sri = (bytes: Buffer | string) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

const originOf = (url: string) => new URL(url).origin;
const CHAT_VERSION = builtVersion(distOf('chat'))!;
const CALL_VERSION = builtVersion(distOf('call'))!;

function allText(dir: string): string {
  return Object.keys(fingerprint(dir))
    .map((rel) => readFileSync(join(dir, rel), 'utf8'))
    .join('\n');
}

test('the shell loads chat and call at run time, each from its own origin', async ({ page, system, requests }) => {
  await openShell(page, system);
  const shell = system.addresses.shell;
  const chat = system.remoteOrigin('chat');
  const call = system.remoteOrigin('call');
  expect(new Set([originOf(shell), originOf(chat), originOf(call)]).size).toBe(3);
  // Each remote loads from its release's own path on its origin, entry and chunks (assetPrefix: auto).
  expect(requests).toContain(system.releaseEntry('chat', CHAT_VERSION));
  expect(requests).toContain(system.releaseEntry('call', CALL_VERSION));
  expect(requests.some((url) => url.startsWith(`${call}/releases/${CALL_VERSION}/static/js/`))).toBe(true);
  expect(requests.some((url) => url.startsWith(`${chat}/releases/${CHAT_VERSION}/static/js/`))).toBe(true);
  await expect(page.getByTestId('shell-identity')).toHaveText('Grace Hopper');
  // The relay WebSocket on the shell's origin accepted this device's token.
  await expect(page.getByTestId('shell-relay')).toHaveAttribute('data-status', 'open');
});

test('one bus and one rxjs are shared by the three apps', async ({ page, system }) => {
  await openShell(page, system);
  const verdict = await page.evaluate(() => {
    const debug = (window as unknown as DebugWindow).parleyDebug;
    const shell = debug.probe();
    const chat = debug.remotes.chat!.probe();
    const call = debug.remotes.call!.probe();
    return {
      busSame: shell.bus === chat.bus && chat.bus === call.bus,
      observableSame: shell.Observable === chat.Observable && chat.Observable === call.Observable,
      evaluations: [shell.busEvaluations, chat.busEvaluations, call.busEvaluations],
    };
  });
  expect(verdict).toEqual({ busSame: true, observableSame: true, evaluations: [1, 1, 1] });
});

test('negative control: a call build that does not share rxjs fails the same check', async ({ page, system }) => {
  await system.registry.publish({ remote: 'call', version: `${CALL_VERSION}-unshared-rxjs`, distDir: distOf('call', 'dist-unshared-rxjs') });
  await system.registry.setDefault('call', `${CALL_VERSION}-unshared-rxjs`);
  await openShell(page, system);
  const observableSame = await page.evaluate(() => {
    const debug = (window as unknown as DebugWindow).parleyDebug;
    return debug.probe().Observable === debug.remotes.call!.probe().Observable;
  });
  expect(observableSame).toBe(false);
});

test('events cross apps: chat asks for a call, call answers, shell and chat see its state', async ({ page, system }) => {
  await openShell(page, system);
  await page.getByRole('button', { name: 'Video call' }).click();
  const panel = page.getByTestId('call-panel');
  await expect(panel).toHaveAttribute('data-phase', 'outgoing');
  await expect(panel).toContainText('Calling Ada Lovelace');
  await expect(panel).toHaveAccessibleName('Video call');
  await expect(page.getByTestId('shell-call-status')).toHaveText('Calling…');
  await expect(page.getByTestId('chat-in-call')).toBeVisible();
  await page.getByRole('button', { name: 'Hang up' }).click();
  await expect(panel).toHaveAttribute('data-phase', 'ended');
  await expect(page.getByTestId('chat-in-call')).toHaveCount(0);
});

test('without the call app, call.available stays false and the chat shows no call buttons', async ({ page, system }) => {
  await system.registry.kill('call');
  await openShell(page, system, { call: false });
  await expect(page.getByText('No messages yet')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Voice call' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Video call' })).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as DebugWindow).parleyDebug.probe().bus.state('call.available').value)).toBe(false);
});

test('a call origin that is down leaves shell and chat working and shows a notice', async ({ page, system }) => {
  // Port 9 (discard) on loopback: nothing listens, the connection is refused.
  const v1 = (await system.registry.releases('call'))[0]!;
  await system.registry.register({ ...v1, version: '9.9.7', entry: 'http://127.0.0.1:9/remoteEntry.js' });
  await system.registry.setDefault('call', '9.9.7');
  await openShell(page, system, { call: false });
  await expect(page.getByTestId('call-unavailable')).toHaveText('Calls are unavailable right now.');
  await expect(page.getByTestId('chat-app')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Voice call' })).toHaveCount(0);
});

test('a call entry that throws while loading leaves the rest working', async ({ page, system }) => {
  const broken = mkdtempSync(join(tmpdir(), 'parley-broken-'));
  const script = 'throw new Error("broken release");\n';
  writeFileSync(join(broken, 'remoteEntry.js'), script);
  // Published as a release, so its integrity is right: the entry loads, then throws.
  await system.registry.publish({ remote: 'call', version: '9.9.9', distDir: broken });
  await system.registry.setDefault('call', '9.9.9');
  await openShell(page, system, { call: false });
  await expect(page.getByTestId('call-unavailable')).toBeVisible();
  await expect(page.getByTestId('chat-app')).toBeVisible();
});

test('a call entry that does not match the manifest integrity is refused', async ({ page, system, requests }) => {
  const v1 = (await system.registry.releases('call'))[0]!;
  await system.registry.register({ ...v1, version: '9.9.8', integrity: sri('some other release') });
  await system.registry.setDefault('call', '9.9.8');
  await openShell(page, system, { call: false });
  await expect(page.getByTestId('call-unavailable')).toBeVisible();
  await expect(page.getByTestId('chat-app')).toBeVisible();
  // The entry was fetched and refused by the browser: no chunk of call was ever requested.
  expect(requests).toContain(system.releaseEntry('call', CALL_VERSION));
  expect(requests.some((url) => url.startsWith(`${system.remoteOrigin('call')}/releases/${CALL_VERSION}/static/`))).toBe(false);
});

test('a release entry changed on disk after publishing is refused with a notice; chat keeps working', async ({ page, system }) => {
  await system.registry.publish({ remote: 'call', version: '0.9.0', distDir: distOf('call') });
  await system.registry.setDefault('call', '0.9.0');
  appendFileSync(join(system.releaseDir('call', '0.9.0'), 'remoteEntry.js'), '\n;globalThis.__tamperedEntry = true;\n');
  await openShell(page, system, { call: false });
  await expect(page.getByTestId('call-unavailable')).toHaveText('Calls are unavailable right now.');
  await expect(page.getByTestId('chat-app')).toBeVisible();
  expect(await page.evaluate(() => (globalThis as { __tamperedEntry?: boolean }).__tamperedEntry ?? false)).toBe(false);
});

test('a chunk of the call release changed after publishing is refused by the integrity its entry carries', async ({ page, system }) => {
  await system.registry.publish({ remote: 'call', version: '0.9.1', distDir: distOf('call') });
  await system.registry.setDefault('call', '0.9.1');
  const asyncDir = join(system.releaseDir('call', '0.9.1'), 'static', 'js', 'async');
  const exposed = readdirSync(asyncDir).find((name) => name.startsWith('__federation_expose_App') && name.endsWith('.js'));
  expect(exposed).toBeDefined();
  appendFileSync(join(asyncDir, exposed!), '\n;globalThis.__tampered = true;\n');
  // The entry itself is untouched, so it passes its own check and then refuses the altered chunk.
  await openShell(page, system, { call: false });
  await expect(page.getByTestId('call-unavailable').or(page.getByTestId('call-crashed'))).toBeVisible();
  await expect(page.getByTestId('chat-app')).toBeVisible();
  expect(await page.evaluate(() => (globalThis as { __tampered?: boolean }).__tampered ?? false)).toBe(false);
});

test('moving call to another origin takes only a release registered there', async ({ page, system, requests }) => {
  const shellBefore = fingerprint(distOf('shell'));
  const chatBefore = fingerprint(distOf('chat'));
  await openShell(page, system);

  // 127.0.0.2 is a different origin (host differs) on the same loopback interface.
  const moved = await system.extraOrigin(distOf('call'), '127.0.0.2');
  const v1 = (await system.registry.releases('call'))[0]!;
  await system.registry.register({ remote: 'call', version: '0.9.2', entry: `${moved}/remoteEntry.js`, integrity: v1.integrity, contracts: DEFAULT_CONTRACTS });
  await system.registry.setDefault('call', '0.9.2');
  // The shell's Content-Security-Policy allows the new origin once the server has read the registry (within a second).
  await expect.poll(async () => (await page.request.get(system.addresses.shell)).headers()['content-security-policy'], { timeout: 5_000 }).toContain(moved);
  requests.length = 0;
  await openShell(page, system);

  expect(requests).toContain(`${moved}/remoteEntry.js`);
  expect(requests.some((url) => url.startsWith(`${moved}/static/js/`))).toBe(true);
  expect(requests.some((url) => url.startsWith(system.remoteOrigin('call')))).toBe(false);
  expect(fingerprint(distOf('shell'))).toEqual(shellBefore);
  expect(fingerprint(distOf('chat'))).toEqual(chatBefore);
  const callVersion = JSON.parse(readFileSync(join(distOf('call'), '..', 'package.json'), 'utf8')).version as string;
  for (const app of ['shell', 'chat']) {
    const text = allText(distOf(app));
    for (const origin of [system.addresses.call, system.remoteOrigin('call'), moved, 'localhost:4202', '127.0.0.1:4202']) {
      expect(text.includes(origin), `${app} mentions ${origin}`).toBe(false);
    }
    const versionPattern = new RegExp(`(?<![\\d.])${callVersion.replaceAll('.', '\\.')}(?![\\d.])`);
    expect(versionPattern.test(text), `${app} mentions call's version ${callVersion}`).toBe(false);
  }
});

test('destroy ends every subscription the call app made', async ({ page, system }) => {
  await openShell(page, system);
  const observers = () =>
    page.evaluate(() => {
      const subjects = (window as unknown as DebugWindow).parleyDebug.probe().bus.inspectSubjects();
      return Object.fromEntries([...subjects].map(([type, subject]) => [type, subject.observers.length]));
    });
  const before = await observers();
  expect(before['call.requested']).toBe(1);
  await page.evaluate(() => (window as unknown as DebugWindow).parleyDebug.unmount('call'));
  await expect(page.getByTestId('call-app')).toHaveCount(0);
  const after = await observers();
  expect(after['call.requested']).toBe(0);
  // The chat is still subscribed to call.available and sees it false: its buttons are gone.
  expect(after['call.available']).toBeGreaterThan(0);
  await expect(page.getByRole('button', { name: 'Voice call' })).toHaveCount(0);
});

test('mounting and destroying the call app again leaves the bus as it found it', async ({ page, system }) => {
  await openShell(page, system);
  // Listeners per bus event, leaving out events nobody listens to (their subjects may come and go).
  const listeners = () =>
    page.evaluate(() => {
      const subjects = (window as unknown as DebugWindow).parleyDebug.probe().bus.inspectSubjects();
      return Object.fromEntries([...subjects].filter(([, subject]) => subject.observers.length > 0).map(([type, subject]) => [type, subject.observers.length]));
    });
  const debug = (action: 'mount' | 'unmount') => page.evaluate((what) => (window as unknown as DebugWindow).parleyDebug[what]('call'), action);
  await expect(page.getByTestId('call-app')).toHaveCount(1);
  const mounted = await listeners();
  await debug('unmount');
  await expect(page.getByTestId('call-app')).toHaveCount(0);
  const destroyed = await listeners();
  // What only the call app listens to has nobody left listening.
  for (const type of ['call.requested', 'call.group-requested', 'call.link-opened', 'call.link-pending', 'content.call-signaling']) expect(destroyed[type], type).toBeUndefined();
  await debug('mount');
  await expect(page.getByTestId('call-app')).toHaveCount(1);
  await expect.poll(listeners).toEqual(mounted);
  await debug('unmount');
  await expect(page.getByTestId('call-app')).toHaveCount(0);
  await expect.poll(listeners).toEqual(destroyed);
});

test('a second render updates the call app in place, never remounting it', async ({ page, system }) => {
  await openShell(page, system);
  const mount = page.locator('[data-call-mount]');
  await expect(mount).toHaveAttribute('data-call-mount', '1');
  await page.getByRole('button', { name: 'Voice call' }).click();
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByTestId('shell-locale').selectOption('ru-RU');
  // The call in progress survives (state kept) and its text switched language.
  await expect(page.getByTestId('call-panel')).toContainText('Звоним: Ada Lovelace');
  await expect(page.getByTestId('call-panel')).toHaveAttribute('data-phase', 'outgoing');
  await expect(mount).toHaveAttribute('data-call-mount', '1');
  await expect(page.getByRole('button', { name: 'Аудиозвонок' })).toBeVisible();
});
