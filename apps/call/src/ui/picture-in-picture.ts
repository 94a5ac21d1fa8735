/**
 * The call in a floating window when the user leaves the tab: Document Picture-in-Picture where
 * the browser has it (Chromium: a small window of our own, with the call's controls), else a video
 * element's picture-in-picture (the peer's video, no controls of ours).
 *
 * Chromium opens either only on a user gesture, with one exception: a page that registered the
 * Media Session action `enterpictureinpicture` and uses the camera or microphone may be asked by
 * the browser to enter picture-in-picture when the user switches tabs ("automatic picture-in-picture
 * for video conferencing"); the handler then may open the window without a gesture. So the app
 * registers that handler for the call, tries on `visibilitychange` as well (harmless when refused),
 * and always offers a visible "Picture in picture" button.
 */

/** The browser's Document Picture-in-Picture API (not yet in TypeScript's DOM types). */
interface DocumentPictureInPictureApi {
  requestWindow(options?: { width?: number; height?: number }): Promise<Window>;
  readonly window: Window | null;
}

/** Which picture-in-picture this browser offers. */
export type PictureInPictureKind = 'document' | 'video' | null;

function documentPip(): DocumentPictureInPictureApi | null {
  return (globalThis as { documentPictureInPicture?: DocumentPictureInPictureApi }).documentPictureInPicture ?? null;
}

/** Document PiP where there is one, else video PiP, else none. */
export function pictureInPictureKind(): PictureInPictureKind {
  if (documentPip()) return 'document';
  if (typeof document !== 'undefined' && document.pictureInPictureEnabled) return 'video';
  return null;
}

/** Size of the floating window: room for a video and one row of controls. */
export const PIP_WINDOW_SIZE = Object.freeze({ width: 360, height: 240 });

/**
 * Copies the page's styles into the floating window: every stylesheet (as text where readable, as a
 * link otherwise), and the root element's attributes, where the shell puts the theme and tokens.
 */
export function copyStyles(from: Document, to: Document): void {
  for (const sheet of Array.from(from.styleSheets)) {
    try {
      const style = to.createElement('style');
      style.textContent = Array.from(sheet.cssRules, (rule) => rule.cssText).join('\n');
      to.head.append(style);
    } catch {
      if (!sheet.href) continue;
      const link = to.createElement('link');
      link.rel = 'stylesheet';
      link.href = sheet.href;
      to.head.append(link);
    }
  }
  for (const attribute of Array.from(from.documentElement.attributes)) to.documentElement.setAttribute(attribute.name, attribute.value);
}

/** An open floating window; `close` ends it. */
export interface OpenPictureInPicture {
  readonly kind: 'document' | 'video';
  close(): void;
}

/**
 * Opens the floating window: a document one holding what `mount` puts in it (it returns its
 * disposer), else the video's picture-in-picture. Null when the browser refused (no gesture) or
 * has neither. `onClosed` runs once when the window goes, whoever closed it.
 */
export async function openPictureInPicture(options: {
  title: string;
  mount: (root: HTMLElement) => () => void;
  video: () => HTMLVideoElement | null;
  onClosed: () => void;
}): Promise<OpenPictureInPicture | null> {
  const api = documentPip();
  if (api) {
    try {
      const win = api.window ?? (await api.requestWindow(PIP_WINDOW_SIZE));
      copyStyles(document, win.document);
      win.document.title = options.title;
      const root = win.document.createElement('div');
      root.className = 'call-pip';
      win.document.body.append(root);
      const dispose = options.mount(root);
      let closed = false;
      const finish = () => {
        if (closed) return;
        closed = true;
        dispose();
        options.onClosed();
      };
      win.addEventListener('pagehide', finish, { once: true });
      return {
        kind: 'document',
        close: () => {
          finish();
          win.close();
        },
      };
    } catch {
      // Refused (no user gesture, or another window is open): try the video's own.
    }
  }
  const video = options.video();
  if (!video || !document.pictureInPictureEnabled || video.readyState === 0) return null;
  try {
    await video.requestPictureInPicture();
  } catch {
    return null;
  }
  video.addEventListener('leavepictureinpicture', () => options.onClosed(), { once: true });
  return {
    kind: 'video',
    close: () => {
      if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => {});
    },
  };
}

/**
 * Asks the browser to open the floating window by itself when the user switches tabs: the Media
 * Session action (Chromium's automatic picture-in-picture for calls). Returns the undo; a browser
 * that does not know the action throws, and then nothing is registered.
 */
export function offerAutomaticPictureInPicture(enter: () => void): () => void {
  const session = typeof navigator !== 'undefined' ? navigator.mediaSession : undefined;
  if (!session) return () => {};
  const action = 'enterpictureinpicture' as MediaSessionAction;
  try {
    session.setActionHandler(action, () => enter());
  } catch {
    return () => {};
  }
  return () => {
    try {
      session.setActionHandler(action, null);
    } catch {
      // Gone already.
    }
  };
}
