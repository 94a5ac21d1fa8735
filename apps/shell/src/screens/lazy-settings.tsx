import { type ComponentProps, type ComponentType, Suspense, lazy } from 'react';
import type { ShellMessages } from '../messages.js';
import { RemoteErrorBoundary } from '../remotes/RemoteErrorBoundary.js';
import type * as Screens from './settings-screens.js';

/**
 * The settings dialog's parts, fetched (one chunk of the shell, under its Subresource Integrity) the
 * first time Settings opens: a returning user's conversation list does not need them (issue 20).
 * Each is its own Suspense boundary, so the shell renders them as it rendered the eager ones; a chunk
 * that does not arrive, or that the browser refuses, shows "could not be loaded" in its place.
 */
const screens = () => import('./settings-screens.js');

/** A part that is loaded with the others and shows nothing until they have arrived. */
function lazyScreen<P extends { t: ShellMessages }>(name: string, load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Lazy = lazy(() => load().then((component) => ({ default: component }))) as unknown as ComponentType<P>;
  function Screen(props: P) {
    return (
      <RemoteErrorBoundary what={name} fallback={<p role="alert">{props.t.codeNotLoaded}</p>}>
        <Suspense fallback={null}>
          <Lazy {...props} />
        </Suspense>
      </RemoteErrorBoundary>
    );
  }
  Screen.displayName = `Lazy${name}`;
  return Screen;
}

export const SettingsPanel = lazyScreen<ComponentProps<typeof Screens.SettingsPanel>>('SettingsPanel', () => screens().then((module) => module.SettingsPanel));
export const AppearanceSettings = lazyScreen<ComponentProps<typeof Screens.AppearanceSettings>>('AppearanceSettings', () => screens().then((module) => module.AppearanceSettings));
export const CallsSettings = lazyScreen<ComponentProps<typeof Screens.CallsSettings>>('CallsSettings', () => screens().then((module) => module.CallsSettings));
/** Takes `t` only for its "could not be loaded" text; the screen itself reads its strings by locale. */
export const NotificationsSettings = lazyScreen<ComponentProps<typeof Screens.NotificationsSettings> & { t: ShellMessages }>(
  'NotificationsSettings',
  () => screens().then((module) => module.NotificationsSettings),
);
export const BetaToggle = lazyScreen<ComponentProps<typeof Screens.BetaToggle>>('BetaToggle', () => screens().then((module) => module.BetaToggle));
export const ReleaseInfo = lazyScreen<ComponentProps<typeof Screens.ReleaseInfo>>('ReleaseInfo', () => screens().then((module) => module.ReleaseInfo));
