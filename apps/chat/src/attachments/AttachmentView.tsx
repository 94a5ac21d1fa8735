import type { AttachmentPointer } from '@parley/contracts';
import { errorCodeOf } from '@parley/contracts';
import type { AttachmentTransferApi } from '@parley/messenger';
import { Download, FileText, Play, X } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { type AttachmentMessages, attachmentMessagesFor, formatFileSize } from './attachment-messages.js';
import { VoicePlayer } from './VoicePlayer.js';

/**
 * Files opened on this page, by blob id: a photo scrolled past and back, or a file saved twice, is
 * downloaded and decrypted once. Not kept across reloads: the blob stays on the server for 30 days
 * after its last download, and keeping decrypted files in IndexedDB would put plaintext on disk.
 */
const opened = new Map<string, Promise<Blob>>();

/** The decrypted file of a pointer, downloaded once per page (a failure is not kept: a retry downloads again). */
export function openAttachment(transfer: AttachmentTransferApi, pointer: AttachmentPointer, onProgress: (fraction: number) => void): Promise<Blob> {
  let file = opened.get(pointer.blobId);
  if (!file) {
    file = transfer.download(pointer, onProgress).then((bytes) => new Blob([bytes], { type: pointer.contentType || 'application/octet-stream' }));
    opened.set(pointer.blobId, file);
    file.catch(() => opened.delete(pointer.blobId));
  }
  return file;
}

type Fetch = { readonly state: 'idle' } | { readonly state: 'loading'; readonly progress: number } | { readonly state: 'ready'; readonly url: string } | { readonly state: 'failed'; readonly text: string };

/** Why a download failed, in the user's words: changed on the server, gone, or could not be fetched. */
export function downloadFailureText(t: AttachmentMessages, error: unknown): string {
  const code = errorCodeOf(error);
  if (code === 'digest-mismatch' || code === 'mac-mismatch' || code === 'truncated' || code === 'bad-padding' || code === 'size-mismatch') return t.tampered;
  return code === 'not_found' ? t.expired : t.downloadFailed;
}

/** Downloads a pointer's file on demand; the object URL lives as long as the component. */
function useAttachmentFile(transfer: AttachmentTransferApi, pointer: AttachmentPointer, t: AttachmentMessages) {
  const [fetchState, setFetchState] = useState<Fetch>({ state: 'idle' });
  const url = fetchState.state === 'ready' ? fetchState.url : null;
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  const start = async (): Promise<string | null> => {
    setFetchState({ state: 'loading', progress: 0 });
    try {
      const file = await openAttachment(transfer, pointer, (progress) => setFetchState({ state: 'loading', progress }));
      const objectUrl = URL.createObjectURL(file);
      setFetchState({ state: 'ready', url: objectUrl });
      return objectUrl;
    } catch (error) {
      setFetchState({ state: 'failed', text: downloadFailureText(t, error) });
      return null;
    }
  };
  /** The file's object URL: the one already here, or a download started now (null if it failed). */
  const fileUrl = () => (fetchState.state === 'ready' ? Promise.resolve(fetchState.url) : start());
  return { fetchState, start, fileUrl };
}

/**
 * One attachment in a bubble: a photo (thumbnail, then the photo, opening in a viewer), a voice message,
 * or a file card — a video's card also plays it in the bubble.
 */
export function AttachmentView(props: { pointer: AttachmentPointer; transfer: AttachmentTransferApi | undefined; locale: string }) {
  const { pointer, transfer, locale } = props;
  const t = useMemo(() => attachmentMessagesFor(locale), [locale]);
  if (!transfer) return <p className="attachment attachment--file">{pointer.fileName}</p>;
  if (pointer.voice) return <VoicePlayer pointer={pointer} transfer={transfer} t={t} />;
  if (pointer.contentType.startsWith('image/')) return <PhotoView pointer={pointer} transfer={transfer} t={t} />;
  return <FileCard pointer={pointer} transfer={transfer} t={t} locale={locale} />;
}

function FailureNote({ text }: { text: string }) {
  return (
    <p role="alert" className="attachment__error" data-testid="attachment-error">
      {text}
    </p>
  );
}

/** Whether the browser can play this file in a `<video>` (a type it cannot play stays a file to save). */
function playableVideo(contentType: string): boolean {
  if (!contentType.startsWith('video/')) return false;
  const probe = typeof document === 'undefined' ? null : document.createElement('video');
  return probe?.canPlayType?.(contentType) !== '';
}

function FileCard({ pointer, transfer, t, locale }: { pointer: AttachmentPointer; transfer: AttachmentTransferApi; t: AttachmentMessages; locale: string }) {
  const { fetchState, fileUrl } = useAttachmentFile(transfer, pointer, t);
  const playable = useMemo(() => playableVideo(pointer.contentType), [pointer.contentType]);
  const [playing, setPlaying] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  // Once the file is here, the player takes the focus and starts (the browser may want a second
  // press of its own play button if the download outlasted the click's permission to play sound).
  useEffect(() => {
    const element = video.current;
    if (!playing || !element) return;
    element.focus();
    void element.play?.()?.catch(() => undefined);
  }, [playing, fetchState.state]);
  const play = async () => {
    if (await fileUrl()) setPlaying(true);
  };
  const save = async () => {
    const url = await fileUrl();
    if (!url) return;
    const link = document.createElement('a');
    link.href = url;
    link.download = pointer.fileName || 'file';
    link.click();
  };
  return (
    <div className="attachment attachment--file" data-testid="attachment-file">
      <FileText aria-hidden="true" size={24} />
      <span className="attachment__name">{pointer.fileName}</span>
      <span className="attachment__size">{formatFileSize(pointer.size, locale)}</span>
      {playable && !playing && (
        <button type="button" className="icon-button attachment__play" aria-label={t.playVideo(pointer.fileName)} title={t.playVideo(pointer.fileName)} onClick={() => void play()} disabled={fetchState.state === 'loading'}>
          <Play aria-hidden="true" size={18} />
        </button>
      )}
      <button type="button" className="icon-button attachment__download" aria-label={t.download(pointer.fileName)} title={t.download(pointer.fileName)} onClick={() => void save()} disabled={fetchState.state === 'loading'}>
        <Download aria-hidden="true" size={18} />
      </button>
      {fetchState.state === 'loading' && <progress aria-label={t.downloading(pointer.fileName)} max={1} value={fetchState.progress} />}
      {fetchState.state === 'failed' && <FailureNote text={fetchState.text} />}
      {playing && fetchState.state === 'ready' && (
        <video ref={video} src={fetchState.url} controls playsInline aria-label={t.video(pointer.fileName)} className="attachment__video" data-testid="attachment-video" />
      )}
    </div>
  );
}

function PhotoView({ pointer, transfer, t }: { pointer: AttachmentPointer; transfer: AttachmentTransferApi; t: AttachmentMessages }) {
  const { fetchState, start } = useAttachmentFile(transfer, pointer, t);
  const dialog = useRef<HTMLDialogElement>(null);
  const [viewing, setViewing] = useState(false);
  // Photos open by themselves, as in every messenger: the thumbnail shows meanwhile.
  useEffect(() => {
    void start();
    // Once per photo; `start` is new every render.
  }, [pointer.blobId]);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (viewing && !element.open) {
      if (element.showModal) element.showModal();
      else element.setAttribute('open', '');
    }
    if (!viewing && element.open) element.close?.();
  }, [viewing]);
  const src = fetchState.state === 'ready' ? fetchState.url : pointer.thumbnail;
  const size = pointer.width && pointer.height ? { width: pointer.width, height: pointer.height } : {};
  return (
    <div className="attachment attachment--photo" data-testid="attachment-photo" data-state={fetchState.state}>
      {src && (
        <button type="button" className="attachment__photo-button" aria-label={t.openPhoto(pointer.fileName)} onClick={() => setViewing(true)} disabled={fetchState.state !== 'ready'}>
          <img src={src} alt={pointer.fileName} {...size} className="attachment__photo" />
        </button>
      )}
      {fetchState.state === 'loading' && <progress aria-label={t.downloading(pointer.fileName)} max={1} value={fetchState.progress} />}
      {fetchState.state === 'failed' && <FailureNote text={fetchState.text} />}
      {/* Escape closes a modal dialog (the browser's `cancel`), and the focus returns to the photo. */}
      <dialog ref={dialog} className="attachment__viewer" aria-label={t.photoViewer(pointer.fileName)} onClose={() => setViewing(false)}>
        {viewing && fetchState.state === 'ready' && <img src={fetchState.url} alt={pointer.fileName} className="attachment__viewer-photo" />}
        <button type="button" className="icon-button attachment__viewer-close" aria-label={t.closeViewer} title={t.closeViewer} onClick={() => setViewing(false)} autoFocus>
          <X aria-hidden="true" size={20} />
        </button>
      </dialog>
    </div>
  );
}
