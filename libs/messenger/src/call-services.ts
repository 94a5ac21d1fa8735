import type { CallLink, CreateCallLinkRequest, ResetCallLinkRequest, TurnCredentials, UpdateCallLinkRequest } from '@parley/contracts';
import { createPageSlot } from '@parley/event-bus';
import type { ParleyApiClient } from './api-client.js';
import { asMessengerCall } from './errors.js';

/** Short-lived TURN credentials for a call (GET /api/turn with this device's token); no ICE servers when the server has no TURN. */
export interface TurnCredentialService {
  turnCredentials(): Promise<TurnCredentials>;
}

/**
 * Call links on the server (libs/contracts call-links.ts): the server sees room ids and verifiers,
 * never secrets. Failures are ParleyApiErrors carrying the server's code (`link_revoked`,
 * `link_expired`, …) for the UI to say why.
 */
export interface CallLinkService {
  create(request: CreateCallLinkRequest): Promise<CallLink>;
  list(): Promise<CallLink[]>;
  get(roomId: string, verifier: string): Promise<CallLink>;
  update(roomId: string, change: UpdateCallLinkRequest): Promise<CallLink>;
  reset(roomId: string, next: ResetCallLinkRequest): Promise<CallLink>;
  revoke(roomId: string): Promise<void>;
}

/** The former name of {@link CallLinkService}, kept for the call app. */
export type CallLinkApi = CallLinkService;

/** What the session assembly hands the call app besides the messenger. */
export interface CallServices {
  readonly turn: TurnCredentialService;
  readonly callLinks: CallLinkService;
}

/** TURN credentials over the API with this device's token; failures are MessengerErrors. */
export function turnCredentialService(api: ParleyApiClient): TurnCredentialService {
  return { turnCredentials: () => asMessengerCall(() => api.turnCredentials()) };
}

/** The call-link routes with this device's token. Errors pass through as ParleyApiErrors: the call app tells revoked from expired from unknown. */
export function callLinkService(api: ParleyApiClient): CallLinkService {
  return {
    create: (request) => api.createCallLink(request),
    list: () => api.listCallLinks(),
    get: (roomId, verifier) => api.getCallLink(roomId, verifier),
    update: (roomId, change) => api.updateCallLink(roomId, change),
    reset: (roomId, next) => api.resetCallLink(roomId, next),
    revoke: (roomId) => api.revokeCallLink(roomId),
  };
}

// Module Federation shares this module as a singleton (with the messenger), so what the shell
// provides here is what the call app sees.
const slot = createPageSlot<CallServices>('call services');

/** Makes `services` the page's call services (the shell, once the session is open); returns a withdraw function. */
export const provideCallServices = (services: CallServices): (() => void) => slot.provide(services);

/** The page's call services, for the call app. Throws when the shell has not provided them. */
export const callServices = (): CallServices => slot.get();

/**
 * Call releases built before the call services left the Messenger interface read TURN credentials
 * and call links from the messenger itself (`messenger().turnCredentials?.()`,
 * `messenger().callLinks?.()`). A newer shell must keep serving them, or such a release would call
 * without TURN and lose its links (the release train's promise: contract 1.x releases keep working).
 * Adds the two legacy methods to the messenger the shell provides; drop with the next contract major.
 */
export function withLegacyCallServiceMethods<M extends object>(messenger: M, services: CallServices): M {
  return Object.assign(messenger, {
    turnCredentials: () => services.turn.turnCredentials(),
    callLinks: () => services.callLinks,
  });
}
