import type { AttachmentPointer } from '@parley/contracts';
import type { AttachmentTransferApi } from '@parley/messenger';
import { Play } from 'lucide-react';
import { useEffect, useState } from 'react';
import { formatDuration } from '../messages.js';
import type { AttachmentMessages } from './attachment-messages.js';
import { downloadFailureText, openAttachment } from './AttachmentView.js';

/**
 * A voice message: its waveform and length, and a Play button that downloads it and hands it to
 * the browser's own audio controls (play, pause and seek, reachable by keyboard and named for
 * screen readers).
 */
export function VoicePlayer({ pointer, transfer, t }: { pointer: AttachmentPointer; transfer: AttachmentTransferApi; t: AttachmentMessages }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  const play = async () => {
    setLoading(true);
    setFailure(null);
    try {
      setUrl(URL.createObjectURL(await openAttachment(transfer, pointer, () => {})));
    } catch (error) {
      setFailure(downloadFailureText(t, error));
    } finally {
      setLoading(false);
    }
  };
  const bars = pointer.waveform ?? [];
  return (
    <div className="attachment attachment--voice" data-testid="attachment-voice">
      {url ? (
        <audio controls autoPlay src={url} aria-label={t.voiceMessage} data-testid="voice-audio" />
      ) : (
        <button type="button" className="icon-button attachment__play" aria-label={`${t.play}: ${t.voiceMessage}`} title={t.play} onClick={() => void play()} disabled={loading}>
          <Play aria-hidden="true" size={18} />
        </button>
      )}
      <span className="attachment__waveform" aria-hidden="true">
        {bars.map((level, index) => (
          <span key={index} className="attachment__bar" style={{ height: `${Math.max(8, Math.round((level / 255) * 100))}%` }} />
        ))}
      </span>
      <span className="attachment__duration">{formatDuration(pointer.durationMs ?? 0)}</span>
      {failure && (
        <p role="alert" className="attachment__error" data-testid="attachment-error">
          {failure}
        </p>
      )}
    </div>
  );
}
