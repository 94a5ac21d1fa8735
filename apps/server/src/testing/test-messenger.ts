/**
 * The real client pipeline against this server, for its tests: libs/messenger's test devices
 * (account keys, Signal sessions, the relay client) pointed at a server on loopback through the
 * global `fetch` and `ws`. What these devices send is what a browser would send.
 */
import { RELAY_PATH } from '@parley/contracts';
import type { ParleyEndpoint } from '@parley/messenger/testing';
import type { RelaySocketConstructor } from '@parley/signaling';
import { WebSocket } from 'ws';

/** One HTTP request as the client sent it. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** The server at `api` as test devices reach it; every HTTP request is appended to `sent` when given. */
export function serverEndpoint(api: string, sent?: SentRequest[]): ParleyEndpoint {
  return {
    baseUrl: api,
    relayUrl: api.replace(/^http/, 'ws') + RELAY_PATH,
    fetch: (url, init) => {
      sent?.push({ url, ...init });
      return fetch(url, init);
    },
    WebSocket: WebSocket as unknown as RelaySocketConstructor,
  };
}
