import { For, createEffect, onCleanup } from 'solid-js';

/**
 * A <video> showing a stream (muted: audio plays through the <audio> element). `concealed` makes it
 * transparent rather than removing it: a video out of the layout may stop being decoded, and the
 * frames it still gets say when the picture is back.
 */
export function StreamVideo(props: { stream: MediaStream | null; label: string; testId: string; mirrored?: boolean; concealed?: boolean; fit?: 'contain' | 'cover' }) {
  let video!: HTMLVideoElement;
  createEffect(() => {
    const stream = props.stream;
    if (video.srcObject !== stream) video.srcObject = stream;
  });
  onCleanup(() => {
    video.srcObject = null;
  });
  return (
    <video
      ref={video}
      class={`call-video call-video--${props.fit ?? 'contain'}`}
      classList={{ 'call-video--concealed': !!props.concealed }}
      aria-hidden={props.concealed ? 'true' : undefined}
      data-testid={props.testId}
      aria-label={props.label}
      autoplay
      playsinline
      muted
      style={{ transform: props.mirrored ? 'scaleX(-1)' : undefined }}
    />
  );
}

/** The remote audio. Chromium decodes received audio only when the track plays in a media element. */
export function StreamAudio(props: { stream: MediaStream | null; sinkId: string }) {
  let audio!: HTMLAudioElement;
  createEffect(() => {
    const stream = props.stream;
    if (audio.srcObject === stream) return;
    audio.srcObject = stream;
    // At once rather than when autoplay gets to it: playing is what starts decoding.
    if (stream) void audio.play().catch(() => {});
  });
  createEffect(() => {
    const sinkId = props.sinkId;
    const element = audio as HTMLAudioElement & { sinkId?: string; setSinkId?: (id: string) => Promise<void> };
    // Only a change: switching the output device restarts playout, even to the same device.
    if (element.setSinkId && element.sinkId !== sinkId) void element.setSinkId(sinkId).catch(() => {});
  });
  onCleanup(() => {
    audio.srcObject = null;
  });
  return <audio ref={audio} data-testid="remote-audio" autoplay />;
}

/** Signal-strength bars (0–4) with the rating as its accessible name. */
export function QualityBars(props: { bars: number; label: string }) {
  return (
    <span class="call-quality" role="img" aria-label={props.label} title={props.label} data-testid="call-quality" data-bars={props.bars}>
      <For each={[1, 2, 3, 4]}>
        {(bar) => (
          <span class={`call-quality__bar call-quality__bar--${bar}`} classList={{ 'call-quality__bar--lit': props.bars >= bar }} aria-hidden="true" />
        )}
      </For>
    </span>
  );
}
