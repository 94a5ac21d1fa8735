import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import type { ShellMessages } from '../messages.js';
import type { CameraRequest } from './camera-request.js';
import { LinkQrError, parseLinkQr } from './link-qr-payload.js';

/** How often a frame is decoded: quick enough to feel instant, light on a shared CPU. */
const SCAN_INTERVAL_MS = 200;
/** Frames are scaled down to this width before decoding: a screen-sized QR code stays readable. */
const SCAN_WIDTH_PX = 640;

/**
 * The camera preview while the new browser scans the existing device's QR code. Frames go onto a
 * canvas and through jsQR (a JS decoder: Chromium on Linux has no BarcodeDetector). The first link
 * code read stops the camera and is handed over as if typed; a QR code that is not one (or is for
 * another server) is said, and scanning goes on. Loaded on demand, with jsQR, from the click.
 */
export default function QrScanner(props: {
  t: ShellMessages;
  camera: CameraRequest;
  /** A link code was read (the camera is already stopped). */
  onCode: (code: string) => void;
  onCancel: () => void;
}) {
  const { t, camera, onCode, onCancel } = props;
  const video = useRef<HTMLVideoElement>(null);
  const [started, setStarted] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // The latest callbacks, so the scan loop below starts once per camera.
  const handlers = useRef({ t, onCode });
  handlers.current = { t, onCode };

  useEffect(() => {
    let running = true;
    let timer: ReturnType<typeof setInterval> | undefined;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const scanFrame = () => {
      const element = video.current;
      if (!running || !element || !context || element.readyState < element.HAVE_CURRENT_DATA || element.videoWidth === 0) return;
      const scale = Math.min(1, SCAN_WIDTH_PX / element.videoWidth);
      canvas.width = Math.round(element.videoWidth * scale);
      canvas.height = Math.round(element.videoHeight * scale);
      context.drawImage(element, 0, 0, canvas.width, canvas.height);
      const found = jsQR(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height, { inversionAttempts: 'attemptBoth' });
      if (!found) return;
      try {
        const code = parseLinkQr(found.data, window.location.origin);
        running = false;
        clearInterval(timer);
        camera.stop();
        handlers.current.onCode(code);
      } catch (error) {
        const { t } = handlers.current;
        setProblem(error instanceof LinkQrError ? qrProblemText(t, error) : t.qrNotALinkCode);
      }
    };
    // A camera that does not start is the onboarding screen's to explain (it need not wait for this code).
    camera.stream.then(
      async (stream) => {
        const element = video.current;
        if (!running || !element) return;
        element.srcObject = stream;
        await element.play().catch(() => {});
        if (!running) return;
        setStarted(true);
        timer = setInterval(scanFrame, SCAN_INTERVAL_MS);
      },
      () => {},
    );
    return () => {
      running = false;
      clearInterval(timer);
      camera.stop();
    };
  }, [camera]);

  return (
    <div className="qr-scanner" data-testid="qr-scanner">
      <p>{t.scanQrHelp}</p>
      <video ref={video} className="qr-scanner__preview" aria-label={t.cameraPreview} muted playsInline />
      {!started && <p role="status">{t.startingCamera}</p>}
      {problem && <p role="status">{problem}</p>}
      <button type="button" className="button" onClick={onCancel}>
        {t.stopScanning}
      </button>
    </div>
  );
}

function qrProblemText(t: ShellMessages, error: LinkQrError): string {
  if (error.problem === 'other-server') return t.qrOtherServer(error.origin ?? '');
  if (error.problem === 'unsupported-version') return t.qrNewerVersion;
  return t.qrNotALinkCode;
}
