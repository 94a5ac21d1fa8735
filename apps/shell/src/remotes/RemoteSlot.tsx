import type { ModuleFederation } from '@module-federation/enhanced/runtime';
import type { MountArgs, RemoteModule, RemoteName, RemoteRelease } from '@parley/contracts';
import { useEffect, useRef, useState } from 'react';
import type { ShellMessages } from '../messages.js';
import { loadRemoteRelease, takeEarlyRemote } from './remote-loader.js';

type SlotState = { status: 'loading' } | { status: 'mounted'; module: RemoteModule } | { status: 'unavailable' } | { status: 'crashed' };

/**
 * Where one remote lives on the page. Loads the release, mounts it, re-renders it in place when the
 * props change and destroys it on unmount. Any failure becomes a short notice in this slot only.
 */
export function RemoteSlot(props: {
  name: RemoteName;
  release: RemoteRelease;
  /** What the remote is rendered with besides its element (RemoteProps, and the chat's messenger). */
  remoteProps: Omit<MountArgs, 'dom'>;
  federation: ModuleFederation;
  t: ShellMessages;
  onModule: (name: RemoteName, module: RemoteModule | null) => void;
  /** Told once loading has ended, mounted or not. */
  onSettled?: (name: RemoteName) => void;
}) {
  const { name, release, remoteProps, federation, t, onModule, onSettled } = props;
  const dom = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<SlotState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    // The load the shell started before this slot rendered, if any (startRemoteEarly), else a fresh one.
    void (takeEarlyRemote(name, release.entry) ?? loadRemoteRelease(federation, name, release)).then((loaded) => {
      if (cancelled) return;
      if (loaded.ok) {
        setState({ status: 'mounted', module: loaded.module });
      } else {
        console.warn(`[shell] ${name} is unavailable (${loaded.unavailable.stage}): ${loaded.unavailable.reason}`);
        setState({ status: 'unavailable' });
      }
      onSettled?.(name);
    });
    return () => {
      cancelled = true;
    };
  }, [federation, name, release.entry, onSettled]);

  const module = state.status === 'mounted' ? state.module : null;

  useEffect(() => {
    const element = dom.current;
    if (!module || !element) return;
    onModule(name, module);
    return () => {
      module.app.destroy({ dom: element });
      onModule(name, null);
    };
  }, [module, name, onModule]);

  useEffect(() => {
    const element = dom.current;
    if (!module || !element) return;
    try {
      module.app.render({ dom: element, ...remoteProps });
    } catch (error) {
      console.warn(`[shell] ${name} failed to render:`, error instanceof Error ? error.message : error);
      setState({ status: 'crashed' });
    }
  }, [module, name, remoteProps]);

  return (
    <div className={`remote-slot remote-slot--${name}`} data-remote={name} data-status={state.status}>
      {state.status === 'loading' && <p className="remote-slot__notice">{t.loading}</p>}
      {state.status === 'unavailable' && (
        <p className="remote-slot__notice" role="status" data-testid={`${name}-unavailable`}>
          {t.remoteUnavailable(name)}
        </p>
      )}
      {state.status === 'crashed' && (
        <p className="remote-slot__notice" role="status" data-testid={`${name}-crashed`}>
          {t.remoteCrashed(name)}
        </p>
      )}
      {/* The remote owns this element's children; React never renders into it. */}
      <div ref={dom} className="remote-slot__mount" hidden={state.status !== 'mounted'} />
    </div>
  );
}
