/**
 * Parley on two server nodes (issue 22): two real server processes on one PostgreSQL and one Redis
 * behind one set of origins (Caddy, e2e/support/server-cluster.ts), each person pinned to a node by
 * a cookie. People on different nodes message each other 1:1 and in a group, send an attachment
 * (uploaded through one node, fetched through the other) and hold a 1:1 video
 * call whose media is SFrame-encrypted; a device that connects again on the other node displaces
 * its older connection, which says so; a browser removed through node A while its socket is on
 * node B is signed out there. Each node's `/metrics` proves who is connected where.
 */
import type { Page } from '@playwright/test';
import { RELAY_PATH } from '@parley/contracts';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { attach, downloadFile, pdfWith } from '../support/attachments.js';
import { type CallPerson, callPerson, connect } from '../support/calls.js';
import { skipWhenMissing } from '../support/prerequisites.js';
import { NODE_COOKIE, type NodeName, type ServerCluster, serverClusterMissing, startServerCluster } from '../support/server-cluster.js';
import { expectEncryptedMedia } from '../support/sframe-wire.js';
import { expectRemovedHere, linkWithTypedCode, newPerson, onboard, openConversation, removeLastDevice, showLinkCode, uniqueHandle } from '../support/users.js';

test.describe.configure({ timeout: 180_000 });

let cluster: ServerCluster;

test.beforeAll(async () => {
  if (serverClusterMissing()) return;
  cluster = await startServerCluster();
});
test.afterAll(async () => {
  await cluster?.stop();
});
test.beforeEach(() => skipWhenMissing(serverClusterMissing()));

const bodies = (page: Page) => page.getByTestId('message-list').locator('.bubble__body');

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

/** Each node holds exactly these many relay connections (browsers on it). */
async function expectConnected(counts: Record<NodeName, number>): Promise<void> {
  for (const name of ['a', 'b'] as const) {
    await expect.poll(() => cluster.nodes[name].connectedDevices(), { message: `devices connected to node ${name}` }).toBe(counts[name]);
  }
}

/** A person with a fresh account whose browser talks to `node` only. */
function personOn(browser: Parameters<typeof callPerson>[0], node: NodeName, name: string): Promise<CallPerson> {
  return callPerson(browser, cluster.system, name, (context) => cluster.pin(context, node));
}

test('people on different nodes message each other 1:1 and in a group, and video-call each other encrypted', async ({ browser }) => {
  const alice = await personOn(browser, 'a', 'Alice Liddell');
  const bob = await personOn(browser, 'b', 'Bob Dylan');
  const carol = await personOn(browser, 'b', 'Carol King');
  await expectConnected({ a: 1, b: 2 });

  // 1:1, both ways: every message crosses from one node to the other.
  await openConversation(alice.page, bob.handle);
  await send(alice.page, 'Hello from node A');
  await bob.page.getByTestId('conversation-item').filter({ hasText: 'Alice Liddell' }).click();
  await expect(bodies(bob.page)).toHaveText(['Hello from node A']);
  await send(bob.page, 'Hello back from node B');
  await expect(bodies(alice.page)).toHaveText(['Hello from node A', 'Hello back from node B']);
  await expect(alice.page.getByTestId('message').last()).toHaveAttribute('data-direction', 'in');

  // An attachment uploaded through node A is fetched through node B (blobs live in PostgreSQL: the
  // nodes share no data folder), and opens to the same bytes.
  const pdf = pdfWith('crossed two nodes');
  await attach(alice.page, 'two-nodes.pdf', 'application/pdf', pdf);
  expect((await downloadFile(bob.page, 'two-nodes.pdf')).equals(pdf)).toBe(true);

  // A group of the three: Alice (node A) writes, and Carol (node B) answers.
  await alice.page.getByTestId('new-group').click();
  await alice.page.getByTestId('group-name').fill('Two nodes');
  await alice.page.getByTestId('group-members').fill(`${bob.handle}, ${carol.handle}`);
  await alice.page.getByRole('button', { name: 'Create group' }).click();
  await expect(alice.page.getByTestId('conversation').locator('h2')).toContainText('3 members');
  await send(alice.page, 'Hello, group');
  for (const person of [bob, carol]) {
    await person.page.getByTestId('conversation-item').filter({ hasText: 'Two nodes' }).click();
    await expect(bodies(person.page)).toHaveText(['Hello, group']);
  }
  await send(carol.page, 'Carol on node B');
  for (const person of [alice, bob, carol]) await expect(bodies(person.page)).toHaveText(['Hello, group', 'Carol on node B']);

  // A 1:1 video call across the nodes: signalling through the relay of both, media SFrame-encrypted.
  await connect(alice, bob, 'Video call');
  // The wire check needs a few seconds of media seen on both sides: wait until each plays the other's video.
  for (const person of [alice, bob]) {
    await expect.poll(() => person.page.getByTestId('remote-video').evaluate((video: HTMLVideoElement) => video.currentTime), { timeout: 20_000 }).toBeGreaterThan(2);
  }
  await expectEncryptedMedia([{ page: alice.page, name: 'Alice' }, { page: bob.page, name: 'Bob' }], ['audio', 'video']);
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(bob.page.getByTestId('call-panel')).toHaveAttribute('data-outcome', 'hung-up', { timeout: 20_000 });

  for (const person of [alice, bob, carol]) await person.context.close();
  await expectConnected({ a: 0, b: 0 });
});

test('a device connecting again on node B displaces its connection on node A, which says so', async ({ browser }) => {
  const alice = await newPerson(browser);
  // The device's token, as its browser sends it in the relay's `auth` frame.
  let token = '';
  alice.page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { t?: string; token?: string };
      if (frame.t === 'auth' && frame.token) token = frame.token;
    }),
  );
  await onboard(alice.page, cluster.system, uniqueHandle('alice'), 'Alice Liddell');
  const relay = alice.page.getByTestId('shell-relay');
  await expect(relay).toHaveAttribute('data-status', 'open');
  await expectConnected({ a: 1, b: 0 });
  expect(token).not.toBe('');

  // The same device signs in to the relay through node B (as a copy of it elsewhere would).
  const elsewhere = new WebSocket(`${cluster.system.addresses.shell.replace(/^http/, 'ws')}${RELAY_PATH}`, {
    headers: { cookie: `${NODE_COOKIE}=b`, origin: cluster.system.addresses.shell },
  });
  const ready = new Promise<{ t: string }>((resolve, reject) => {
    elsewhere.once('message', (data) => resolve(JSON.parse(String(data)) as { t: string }));
    elsewhere.once('error', reject);
  });
  await new Promise((resolve, reject) => {
    elsewhere.once('open', resolve);
    elsewhere.once('error', reject);
  });
  elsewhere.send(JSON.stringify({ t: 'auth', token }));
  expect(await ready).toMatchObject({ t: 'ready' });

  // Node A closed the browser's connection as replaced; the shell says why and stays offline.
  await expect(relay).toHaveAttribute('data-status', 'closed', { timeout: 15_000 });
  await expect(relay).toHaveText('Connection: Offline (this device connected from somewhere else)');
  await expectConnected({ a: 0, b: 1 });

  elsewhere.close();
  await alice.context.close();
  await expectConnected({ a: 0, b: 0 });
});

test('a browser removed through node A while connected to node B is signed out there', async ({ browser }) => {
  const alice = await newPerson(browser);
  await onboard(alice.page, cluster.system, uniqueHandle('alice'), 'Alice Liddell');

  // A laptop linked to Alice's account, through node B, with a code shown by her browser on node A.
  const { settings, code } = await showLinkCode(alice.page);
  const laptop = await newPerson(browser);
  await cluster.pin(laptop.context, 'b');
  await linkWithTypedCode(laptop.page, cluster.system.addresses.shell, code);
  await expect(settings.getByTestId('device')).toHaveCount(2, { timeout: 15_000 });
  await expect(laptop.page.getByTestId('shell-relay')).toHaveAttribute('data-status', 'open');
  await expectConnected({ a: 1, b: 1 });

  // Alice removes the laptop on node A: node B closes its socket and the laptop wipes itself.
  await removeLastDevice(settings);
  await expectRemovedHere(laptop.page);
  await expectConnected({ a: 1, b: 0 });

  for (const person of [alice, laptop]) await person.context.close();
});
