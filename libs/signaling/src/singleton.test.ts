import { EventBus } from '@parley/event-bus';
import { NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RelayConnection } from './relay-client.js';
import { provideRelayConnection, relayConnection } from './singleton.js';

function connection(): RelayConnection {
  return { status: new EventBus().state('relay.status'), errors$: NEVER, send: async () => {} };
}

describe('the page relay connection', () => {
  it('is whatever the shell provided, until withdrawn', () => {
    const provided = connection();
    const withdraw = provideRelayConnection(provided);
    expect(relayConnection()).toBe(provided);
    withdraw();
    expect(() => relayConnection()).toThrow(/not provided/);
  });

  it('cannot be replaced while provided', () => {
    const withdraw = provideRelayConnection(connection());
    expect(() => provideRelayConnection(connection())).toThrow(/already/);
    withdraw();
  });
});
