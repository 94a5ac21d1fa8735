import type { AttachmentPointer } from '@parley/contracts';
import type { AttachmentTransferApi } from '@parley/messenger';
import { Mic, Square } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { formatDuration } from '../messages.js';
import { type AttachmentMessages, uploadFailureText } from './attachment-messages.js';
import { waveformOf } from './waveform.js';

/** Opus in WebM, what Chromium and Firefox record; the browser's default when it has not. */
const VOICE_TYPE = 'audio/webm;codecs=opus';

/**
 * Click to record, click again to send: MediaRecorder with Opus, then the waveform and length
 * from the recording itself, sent as an attachment marked as a voice message.
 */
export function VoiceRecorder(props: { t: AttachmentMessages; transfer: AttachmentTransferApi; send: (pointer: AttachmentPointer) => Promise<unknown>; onFailure: (text: string) => void }) {
  const { t, transfer, send, onFailure } = props;
  const recorder = useRef<MediaRecorder | null>(null);
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (startedAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [startedAt]);
  // Leaving the conversation while recording stops the microphone and sends nothing.
  useEffect(
    () => () => {
      const active = recorder.current;
      recorder.current = null;
      if (active && active.state !== 'inactive') {
        active.ondataavailable = null;
        active.onstop = null;
        active.stop();
        active.stream.getTracks().forEach((track) => track.stop());
      }
    },
    [],
  );

  const start = async () => {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      onFailure(t.microphoneRefused);
      return;
    }
    const type = MediaRecorder.isTypeSupported(VOICE_TYPE) ? VOICE_TYPE : '';
    const media = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const chunks: Blob[] = [];
    const began = Date.now();
    media.ondataavailable = (event) => chunks.push(event.data);
    media.onstop = () => {
      stream.getTracks().forEach((track) => track.stop());
      void finish(new Blob(chunks, { type: media.mimeType || 'audio/webm' }), Date.now() - began);
    };
    recorder.current = media;
    media.start();
    setStartedAt(began);
    setNow(began);
  };

  const finish = async (recording: Blob, elapsedMs: number) => {
    try {
      const bytes = new Uint8Array(await recording.arrayBuffer());
      const { waveform, durationMs } = await waveformOf(bytes.slice().buffer, elapsedMs);
      const pointer = await transfer.upload(bytes, { fileName: `voice-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`, contentType: recording.type, voice: true, durationMs, waveform });
      await send(pointer);
    } catch (error) {
      onFailure(uploadFailureText(t, error));
    }
  };

  const stop = () => {
    recorder.current?.stop();
    recorder.current = null;
    setStartedAt(null);
  };

  const recording = startedAt !== null;
  return (
    <>
      <button
        type="button"
        className={`icon-button voice-recorder${recording ? ' voice-recorder--on' : ''}`}
        aria-label={recording ? t.stopRecording : t.recordVoice}
        title={recording ? t.stopRecording : t.recordVoice}
        aria-pressed={recording}
        onClick={() => (recording ? stop() : void start())}
      >
        {recording ? <Square aria-hidden="true" size={18} /> : <Mic aria-hidden="true" size={20} />}
      </button>
      {recording && (
        <span className="voice-recorder__time" role="timer" aria-label={t.recording}>
          {formatDuration(now - startedAt)}
        </span>
      )}
    </>
  );
}
