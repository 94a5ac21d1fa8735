import type { MountArgs, MountElement, RemoteApp, RemoteModule, RemoteProps } from '@parley/contracts';
import { bus, busEvaluations } from '@parley/event-bus';
import type { Messenger } from '@parley/messenger';
import { StrictMode } from 'react';
import { type Root, createRoot } from 'react-dom/client';
import { Observable } from 'rxjs';
import { ChatApp } from './ChatApp.js';
import { pageCallLog } from './call-log.js';

const roots = new WeakMap<MountElement, Root>();
/** Each element's latest render, so a late answer from an older shell's slot never overrides newer props. */
const latest = new WeakMap<MountElement, MountArgs>();

function propsOf({ dom: _dom, messenger: _messenger, ...props }: MountArgs): RemoteProps {
  return props;
}

/**
 * The page's messenger from a shell that does not pass one (older shells), or null when nobody is
 * signed in (chat shows a notice). Imported only then: the shared `@parley/messenger` module carries
 * the whole protocol, which today's shell keeps off the chat's path (issue 20).
 */
async function slotMessenger(): Promise<Messenger | null> {
  try {
    return (await import('@parley/messenger')).messenger();
  } catch {
    return null;
  }
}

/** The chat app's mount contract: a second render on one element updates props in place. */
export const app: RemoteApp = {
  render(args) {
    let root = roots.get(args.dom);
    if (!root) {
      root = createRoot(args.dom as unknown as HTMLElement);
      roots.set(args.dom, root);
    }
    latest.set(args.dom, args);
    const draw = (messenger: Messenger | null) =>
      root.render(
        <StrictMode>
          <ChatApp bus={bus} remote={propsOf(args)} messenger={messenger} callLog={pageCallLog} />
        </StrictMode>,
      );
    // The shell's messenger satisfies the Messenger interface of the library version it was built
    // with, which this release's contract range accepts.
    if (args.messenger !== undefined) draw(args.messenger as Messenger);
    else void slotMessenger().then((messenger) => latest.get(args.dom) === args && draw(messenger));
  },
  destroy({ dom }) {
    roots.get(dom)?.unmount();
    roots.delete(dom);
    latest.delete(dom);
  },
};

/** The chat app's release version, shown in the shell's debug panel. */
export const version: RemoteModule['version'] = __CHAT_VERSION__;

/** The singletons this bundle imported, so the shell can prove they are shared. */
export const probe: RemoteModule['probe'] = () => ({ bus, Observable, busEvaluations: busEvaluations() });
