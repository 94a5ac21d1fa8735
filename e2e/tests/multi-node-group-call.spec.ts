/**
 * A group call across two server nodes (issue 22, milestone 4): Alice's browser on node A starts
 * it (A runs it: its lease, its Janus), Bob's on node B joins (B forwards his requests to A). Node A
 * is killed (`kill -9`, its Janus with it): Alice's browser fails over to node B as a load balancer
 * would send it, Bob's is told to join again once A's lease ran out, and both are back in the call,
 * now run by B on its own Janus, decoding each other's video again.
 */
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { skipWhenMissing } from '../support/prerequisites.js';
import { groupCall, groupMediaStats, groupOf, joinFromRing } from '../support/group-calls.js';
import type { CallPerson } from '../support/calls.js';
import { type NodeName, type ServerCluster, serverClusterMissing, startServerCluster } from '../support/server-cluster.js';

test.describe.configure({ timeout: 180_000 });

/** Why group calls cannot run in the cluster here, or null. */
function missing(): string | null {
  if (!existsSync('/usr/bin/janus')) return 'Janus is not installed (/usr/bin/janus): apt-get install janus';
  if (!process.env.PARLEY_JANUS_INTERFACE) return 'PARLEY_JANUS_INTERFACE is not set: run in the test namespace (tools/test/in-loopback-namespace.sh)';
  return serverClusterMissing();
}

let cluster: ServerCluster;

test.beforeAll(async () => {
  if (missing()) return;
  cluster = await startServerCluster({ groupCalls: true });
});
test.afterAll(async () => {
  await cluster?.stop();
});
test.beforeEach(() => skipWhenMissing(missing()));
// The nodes' logs say why a call did not come back.
test.afterEach(async () => {
  const testInfo = test.info();
  if (!cluster || testInfo.status === testInfo.expectedStatus) return;
  for (const name of ['a', 'b'] as const) await testInfo.attach(`node ${name} log`, { body: cluster.nodes[name].server.stderr() + cluster.nodes[name].server.log(), contentType: 'text/plain' });
});

/** Participants of the group calls node `name` runs (its `/metrics`). */
async function callParticipantsOn(name: NodeName): Promise<number> {
  const text = await (await fetch(cluster.nodes[name].server.addresses.metrics!)).text();
  return Number(/^parley_group_call_participants (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** Waits until each person decodes more video frames than when asked. */
async function decodingVideo(people: readonly CallPerson[]): Promise<void> {
  for (const person of people) {
    // Summed over every connection: after the move only the new ones (to node B's Janus) can add any.
    const decoded = async () => (await groupMediaStats(person.page)).videoFrames.reduce((sum, frames) => sum + frames, 0);
    const baseline = await decoded();
    await expect
      .poll(async () => (await decoded()) > baseline + 10, {
        timeout: 45_000,
        message: `${person.name} decodes video`,
      })
      .toBe(true);
  }
}

test('the node running a group call is killed: both people are back in the call, run by the other node', async ({ browser }) => {
  const nodes: NodeName[] = ['a', 'b'];
  let next = 0;
  const [alice, bob] = await groupOf(browser, cluster.system, ['Alice Liddell', 'Bob Dylan'], 'Two nodes', (context) => cluster.pin(context, nodes[next++]!));
  await alice!.page.getByRole('button', { name: 'Start group call' }).click();
  await expect(groupCall(alice!.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
  await joinFromRing(bob!);
  for (const person of [alice!, bob!]) await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });
  await decodingVideo([alice!, bob!]);

  // Node A dies with its Janus; Alice's browser now reaches node B.
  cluster.nodes.a.server.process.kill('SIGKILL');
  await cluster.nodes.a.server.exited;
  await cluster.pin(alice!.context, 'b');

  // Both joined again, through node B, which runs the call now: its own count says so.
  await expect.poll(() => cluster.nodes.b.connectedDevices(), { timeout: 45_000, message: 'both browsers connected to node B' }).toBe(2);
  await expect.poll(() => callParticipantsOn('b'), { timeout: 45_000, message: 'node B runs the call with both in it' }).toBe(2);
  for (const person of [alice!, bob!]) {
    await expect(groupCall(person.page)).toHaveAttribute('data-phase', 'active', { timeout: 20_000 });
    await expect(person.page.getByTestId('group-call-count')).toContainText('2 participants', { timeout: 20_000 });
  }
  await decodingVideo([alice!, bob!]);

  for (const person of [alice!, bob!]) await person.context.close();
});
