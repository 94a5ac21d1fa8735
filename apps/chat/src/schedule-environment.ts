import { type Clock, systemClock } from '@parley/clock';
import { createContext, useContext } from 'react';

/** The system notifications the reminder may show, where the browser has them. */
export interface SystemNotifications {
  permission(): NotificationPermission;
  /** Asks the user; only ever called from a click (never on page load). */
  request(): Promise<NotificationPermission>;
  show(title: string, body: string): void;
}

/**
 * What scheduled calls need from the page: the clock every timer reads (injectable, so tests run
 * reminders in milliseconds), the viewer's time zone, the shell's origin for call links, system
 * notifications and downloads.
 */
export interface ScheduleEnvironment {
  readonly clock: Clock;
  /** The viewer's IANA time zone. */
  readonly timeZone: string;
  /** The shell's origin: call links are `<origin>/call#<secret>`. */
  readonly linkOrigin: string;
  readonly notifications: SystemNotifications | null;
  /** Saves `text` as a file (the .ics export). */
  readonly download: (fileName: string, text: string, type: string) => void;
  /** Puts text on the clipboard. */
  readonly copy: (text: string) => Promise<void>;
}

function browserNotifications(): SystemNotifications | null {
  if (typeof Notification === 'undefined') return null;
  return {
    permission: () => Notification.permission,
    request: () => Notification.requestPermission(),
    show: (title, body) => {
      new Notification(title, { body, tag: `parley-reminder:${title}` });
    },
  };
}

function downloadWithBlobLink(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // After the click's task: the download has its own reference by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The page's environment: the real clock, this browser's zone, the shell's origin. */
export function browserScheduleEnvironment(): ScheduleEnvironment {
  return {
    clock: systemClock,
    // The browser's own IANA zone (e.g. `Europe/Moscow`); zoned-time.ts, which the list does not need, does the arithmetic.
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    linkOrigin: typeof location === 'undefined' ? '' : location.origin,
    notifications: browserNotifications(),
    download: downloadWithBlobLink,
    copy: (text) => navigator.clipboard.writeText(text),
  };
}

const ScheduleEnvironmentContext = createContext<ScheduleEnvironment | null>(null);

/** Provides the environment to the scheduled-call components below. */
export const ScheduleEnvironmentProvider = ScheduleEnvironmentContext.Provider;

/** The environment provided above, or the browser's. */
export function useScheduleEnvironment(): ScheduleEnvironment {
  const provided = useContext(ScheduleEnvironmentContext);
  return provided ?? fallback();
}

let browserDefault: ScheduleEnvironment | null = null;
function fallback(): ScheduleEnvironment {
  browserDefault ??= browserScheduleEnvironment();
  return browserDefault;
}
