/**
 * A fake camera for Chromium: a picture (a PNG, e.g. an element's screenshot) written as a Y4M
 * file that `--use-file-for-fake-video-capture` plays in a loop. Y4M is a header and raw I420
 * frames: a luma plane at full size, then the two chroma planes at half width and height.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// pngjs comes with the qrcode package (it has no type declarations of its own).
const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } } };
};

/** The fake camera's picture size: 4:3 VGA, what webcams give by default. */
const WIDTH = 640;
const HEIGHT = 480;

/**
 * Writes `png` centred on a white 640×480 picture, scaled (nearest neighbour, so a QR code's
 * modules stay sharp) to `fraction` of the height, as `frames` identical Y4M frames at 10 fps.
 */
export function writeY4mOfPng(file: string, png: Buffer, { fraction = 0.8, frames = 5 } = {}): void {
  const image = PNG.sync.read(png);
  const side = Math.round(HEIGHT * fraction);
  const scale = side / Math.max(image.width, image.height);
  const drawnWidth = Math.round(image.width * scale);
  const drawnHeight = Math.round(image.height * scale);
  const left = Math.floor((WIDTH - drawnWidth) / 2);
  const top = Math.floor((HEIGHT - drawnHeight) / 2);
  const luma = Buffer.alloc(WIDTH * HEIGHT, 235);
  for (let y = 0; y < drawnHeight; y++) {
    for (let x = 0; x < drawnWidth; x++) {
      const source = (Math.min(image.height - 1, Math.floor(y / scale)) * image.width + Math.min(image.width - 1, Math.floor(x / scale))) * 4;
      const [r, g, b, a] = [image.data[source]!, image.data[source + 1]!, image.data[source + 2]!, image.data[source + 3]! / 255];
      // BT.601 studio range, over white where the screenshot is transparent.
      const grey = (0.299 * r + 0.587 * g + 0.114 * b) * a + 255 * (1 - a);
      luma[(top + y) * WIDTH + left + x] = Math.round(16 + (grey * 219) / 255);
    }
  }
  const chroma = Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
