import type { AttachmentPointer } from '@parley/contracts';
import { ATTACHMENT_MAX_BYTES } from '@parley/contracts';
import type { AttachmentTransferApi } from '@parley/messenger';
import { Paperclip } from 'lucide-react';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { attachmentMessagesFor, uploadFailureText } from './attachment-messages.js';
import { describeImage } from './thumbnail.js';
import { VoiceRecorder } from './VoiceRecorder.js';

interface Upload {
  readonly key: number;
  readonly name: string;
  readonly progress: number;
}

let nextUploadKey = 0;

/**
 * Sends files into a conversation: the paperclip button, an image pasted into the composer, files
 * dropped onto the conversation. Each file is encrypted and uploaded with a progress bar, then
 * sent as a message carrying its pointer (`send`). `children` is the text composer, beside which
 * the buttons sit, with the voice recorder where the browser can record.
 */
export function AttachmentComposer(props: {
  locale: string;
  transfer: AttachmentTransferApi;
  send: (pointer: AttachmentPointer) => Promise<unknown>;
  children: ReactNode;
}) {
  const { locale, transfer, send } = props;
  const t = useMemo(() => attachmentMessagesFor(locale), [locale]);
  const root = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [uploads, setUploads] = useState<readonly Upload[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const sendFiles = (files: readonly File[]) => {
    setFailure(null);
    for (const file of files) void sendFile(file);
  };

  const sendFile = async (file: File) => {
    const key = nextUploadKey++;
    const name = file.name || 'file';
    const setProgress = (progress: number) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, progress } : u)));
    setUploads((all) => [...all, { key, name, progress: 0 }]);
    try {
      // Said here rather than after uploading most of it: the server would refuse it anyway.
      if (file.size > ATTACHMENT_MAX_BYTES) throw Object.assign(new Error('too large'), { code: 'blob_too_large' });
      const image = file.type.startsWith('image/') ? await describeImage(file) : null;
      const bytes = new Uint8Array(await file.arrayBuffer());
      const pointer = await transfer.upload(bytes, { fileName: name, contentType: file.type || 'application/octet-stream', ...image }, setProgress);
      await send(pointer);
    } catch (error) {
      setFailure(uploadFailureText(t, error));
    } finally {
      setUploads((all) => all.filter((u) => u.key !== key));
    }
  };

  // Files dropped anywhere on the open conversation, not just on the composer.
  useEffect(() => {
    const area = root.current?.closest<HTMLElement>('.conversation') ?? root.current;
    if (!area) return;
    const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    const over = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      setDragging(true);
    };
    const leave = (event: DragEvent) => {
      if (event.target === area) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      setDragging(false);
      sendFiles([...(event.dataTransfer?.files ?? [])]);
    };
    area.addEventListener('dragover', over);
    area.addEventListener('dragleave', leave);
    area.addEventListener('drop', drop);
    return () => {
      area.removeEventListener('dragover', over);
      area.removeEventListener('dragleave', leave);
      area.removeEventListener('drop', drop);
    };
  });

  return (
    <div
      ref={root}
      className={`attachment-composer${dragging ? ' attachment-composer--dragging' : ''}`}
      onPaste={(event) => {
        const files = [...event.clipboardData.files];
        if (files.length === 0) return;
        // A pasted image is sent as a file; pasted text stays the composer's.
        event.preventDefault();
        sendFiles(files);
      }}
    >
      {dragging && <p className="attachment-composer__drop">{t.droppedFiles}</p>}
      {uploads.map((upload) => (
        <div key={upload.key} className="attachment-composer__upload" role="status">
          <span>{t.uploading(upload.name)}</span>
          <progress aria-label={t.uploading(upload.name)} max={1} value={upload.progress} />
        </div>
      ))}
      {failure && (
        <p role="alert" className="attachment-composer__error">
          {failure}
        </p>
      )}
      <div className="attachment-composer__row">
        <button type="button" className="icon-button attachment-composer__attach" aria-label={t.attachFile} title={t.attachFile} onClick={() => input.current?.click()}>
          <Paperclip aria-hidden="true" size={20} />
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          data-testid="attach-input"
          onChange={(event) => {
            sendFiles([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
        {typeof MediaRecorder !== 'undefined' && <VoiceRecorder t={t} transfer={transfer} send={send} onFailure={setFailure} />}
        {props.children}
      </div>
    </div>
  );
}
