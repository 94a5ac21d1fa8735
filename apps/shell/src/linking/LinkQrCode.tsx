import { useEffect, useRef, useState } from 'react';

/** Drawn at this many CSS pixels: large enough for a laptop camera at arm's length. */
const QR_SIZE_PX = 240;

/**
 * A QR code of `text` on a canvas (no data: URL or inline SVG, so the shell's CSP stays as it is),
 * dark on light whatever the theme, with an accessible name. The encoder loads on first use: it
 * is needed only in Settings while a link code is shown.
 */
export function LinkQrCode(props: { text: string; label: string }) {
  const { text, label } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    import('qrcode')
      .then((qrcode) => {
        const element = canvas.current;
        if (!current || !element) return;
        // Error correction M and the standard 4-module quiet zone: what phone and webcam readers expect.
        return qrcode.toCanvas(element, text, { errorCorrectionLevel: 'M', margin: 4, width: QR_SIZE_PX, color: { dark: '#000000ff', light: '#ffffffff' } });
      })
      .catch(() => current && setFailed(true));
    return () => {
      current = false;
    };
  }, [text]);
  // Without the drawing the typed code beside it still links: nothing else to say.
  if (failed) return null;
  return <canvas ref={canvas} className="link-qr" role="img" aria-label={label} width={QR_SIZE_PX} height={QR_SIZE_PX} data-testid="link-qr" />;
}
