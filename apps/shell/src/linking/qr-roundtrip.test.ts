import jsQR from 'jsqr';
import { create } from 'qrcode';
import { describe, expect, it } from 'vitest';
import { encodeLinkQr, parseLinkQr } from './link-qr-payload.js';

/** RGBA pixels of a QR code as LinkQrCode draws it: black modules, white 4-module quiet zone. */
function pixelsOf(text: string, modulePx = 4) {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 8) * modulePx;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const [row, col] = [Math.floor(y / modulePx) - 4, Math.floor(x / modulePx) - 4];
      const dark = row >= 0 && col >= 0 && row < modules.size && col < modules.size && modules.get(row, col);
      if (dark) data.fill(0, (y * side + x) * 4, (y * side + x) * 4 + 3);
    }
  }
  return { data, side };
}

describe('the link QR code', () => {
  it('as drawn by the encoder is read back by the scanner’s decoder, to the same code', () => {
    const code = 'd540a96b57144ea9-zdgragvacqizoipw';
    const { data, side } = pixelsOf(encodeLinkQr(code, 'http://localhost:4200'));
    const read = jsQR(data, side, side, { inversionAttempts: 'attemptBoth' });
    expect(read).not.toBeNull();
    expect(parseLinkQr(read!.data, 'http://localhost:4200')).toBe(code);
  });
});
