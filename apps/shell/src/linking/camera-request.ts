/**
 * The camera for scanning a link QR code, asked for from the user's click on "Scan QR code" and
 * from nowhere else. Whoever holds the request stops it (cancel, a code read, the screen gone);
 * a stream that arrives after that is stopped at once, so the camera light never stays on.
 */
export interface CameraRequest {
  /** The camera's stream; rejects with the browser's error (NotAllowedError, NotFoundError, …). */
  readonly stream: Promise<MediaStream>;
  /** Stops the camera now, or as soon as it starts. */
  stop(): void;
}

/** Why the camera gave no picture, as the screen words it. */
export type CameraProblem = 'denied' | 'no-camera' | 'failed';

/** Asks for the (preferably rear) camera. Call it only from a click. */
export function requestCamera(mediaDevices: MediaDevices | undefined = navigator.mediaDevices): CameraRequest {
  let stopped = false;
  // Outside secure contexts there is no mediaDevices at all: as good as no camera.
  const stream = mediaDevices?.getUserMedia
    ? mediaDevices.getUserMedia({ audio: false, video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } } })
    : Promise.reject(new DOMException('no media devices in this context', 'NotFoundError'));
  const stopAll = (media: MediaStream) => {
    for (const track of media.getTracks()) track.stop();
  };
  void stream.then((media) => stopped && stopAll(media), () => {});
  return {
    stream,
    stop() {
      stopped = true;
      void stream.then(stopAll, () => {});
    },
  };
}

/** What a getUserMedia failure means for the user. */
export function cameraProblemOf(error: unknown): CameraProblem {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'no-camera';
  return 'failed';
}
