import type { MountArgs, MountElement, RemoteApp, RemoteModule, RemoteProps } from '@parley/contracts';
import { bus, busEvaluations } from '@parley/event-bus';
import { type Messenger, messenger } from '@parley/messenger';
import { StrictMode } from 'react';
import { type Root, createRoot } from 'react-dom/client';
import { Observable } from 'rxjs';
import { ChatApp } from './ChatApp.js';
import { pageCallLog } from './call-log.js';

const roots = new WeakMap<MountElement, Root>();

function propsOf({ dom: _dom, ...props }: MountArgs): RemoteProps {
  return props;
}

/** The page's messenger, or null when the shell has not signed anyone in (chat shows a notice). */
function currentMessenger(): Messenger | null {
  try {
    return messenger();
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
    root.render(
      <StrictMode>
        <ChatApp bus={bus} remote={propsOf(args)} messenger={currentMessenger()} callLog={pageCallLog} />
      </StrictMode>,
    );
  },
  destroy({ dom }) {
    roots.get(dom)?.unmount();
    roots.delete(dom);
  },
};

/** The chat app's release version, shown in the shell's debug panel. */
export const version: RemoteModule['version'] = __CHAT_VERSION__;

/** The singletons this bundle imported, so the shell can prove they are shared. */
export const probe: RemoteModule['probe'] = () => ({ bus, Observable, busEvaluations: busEvaluations() });
