/**
 * The mount contract every remote exposes as its `./App` module. The shell calls `render` to
 * mount it and again with new props (updated in place, never remounted) and `destroy` to tear it
 * down, which must end every subscription the remote made.
 */
import type { Session } from './bus-events.js';

/**
 * The element a remote renders into. Declared structurally because contracts stay free of DOM
 * types (they also compile for Node); an `HTMLElement` satisfies it.
 */
export interface MountElement {
  readonly nodeType: number;
  readonly ownerDocument: unknown;
}

/** Props the shell hands every remote. */
export interface RemoteProps {
  readonly session: Session;
  /** BCP 47 language tag the shell chose, e.g. `en-US` or `ru-RU`. */
  readonly locale: string;
}

export interface MountArgs extends RemoteProps {
  readonly dom: MountElement;
  /**
   * The page's messenger (a `Messenger` of `@parley/messenger`; `unknown` here because contracts
   * do not depend on that library), given to the chat by shells since the early conversation list
   * (issue 20): at first one that reads this device's stores while the protocol downloads, then
   * hands over to the real one. Absent from older shells: the chat then reads `messenger()`.
   */
  readonly messenger?: unknown;
}

/** The singletons a remote imported, handed back so the shell can prove they are shared. */
export interface SharedProbe {
  readonly bus: unknown;
  readonly Observable: unknown;
  readonly busEvaluations: number;
}

export interface RemoteApp {
  render(args: MountArgs): void;
  destroy(args: { dom: MountElement }): void;
}

/** The shape of a remote's exposed `./App` module. */
export interface RemoteModule {
  readonly app: RemoteApp;
  readonly probe: () => SharedProbe;
  readonly version: string;
}
