/**
 * Where a call's ICE servers come from: the server's `GET /api/turn` (through the messenger, which
 * holds the device token), fetched when the app mounts and again when the credentials near their
 * expiry, so pressing "Call" never waits for it. A failed fetch means host candidates only: a call
 * on one network still works, and the next call asks again.
 */
import type { TurnCredentials } from '@parley/contracts';

/** What `RTCPeerConnection` needs to reach the peer. */
export interface IceConfig {
  readonly iceServers: RTCIceServer[];
  readonly iceTransportPolicy: RTCIceTransportPolicy;
}

/** Host candidates only: no TURN configured, or it could not be asked. */
export const HOST_ONLY: IceConfig = { iceServers: [], iceTransportPolicy: 'all' };

/** Credentials this close to their expiry are fetched again before a call uses them. */
export const TURN_REFRESH_MARGIN_MS = 10 * 60_000;
/** "No TURN" answers are asked again after this long (the operator may add a TURN server). */
export const NO_TURN_RECHECK_MS = 10 * 60_000;

/** Fetches and caches the ICE configuration; `current()` answers from the cache while it is fresh. */
export class IceConfigSource {
  private cached: { config: IceConfig; freshUntil: number } | null = null;
  private inFlight: Promise<IceConfig> | null = null;

  constructor(
    private readonly fetchCredentials: (() => Promise<TurnCredentials>) | null,
    private readonly now: () => number = Date.now,
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  /** The configuration for a call starting now. Never rejects. */
  current(): Promise<IceConfig> {
    if (this.cached && this.now() < this.cached.freshUntil) return Promise.resolve(this.cached.config);
    if (!this.fetchCredentials) return Promise.resolve(HOST_ONLY);
    this.inFlight ??= this.fetchCredentials()
      .then((answer) => {
        const config: IceConfig = {
          iceServers: answer.iceServers.map(({ urls, username, credential }) => ({ urls: [...urls], username, credential })),
          iceTransportPolicy: answer.iceTransportPolicy,
        };
        const freshUntil = answer.expiresAt === null ? this.now() + NO_TURN_RECHECK_MS : answer.expiresAt - TURN_REFRESH_MARGIN_MS;
        this.cached = { config, freshUntil };
        return config;
      })
      .catch((error: unknown) => {
        this.onWarning(`no TURN credentials, using host candidates only: ${error instanceof Error ? error.message : String(error)}`);
        return HOST_ONLY;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }
}
