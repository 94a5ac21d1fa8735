/**
 * Makes the bots' clip without ffmpeg: headless Chromium's WebCodecs encode a few seconds of a
 * moving test pattern as VP8 (160x120, key frame every 2 s) and a tone as Opus (20 ms packets),
 * written as IVF and Ogg into a cache folder (`.tmp/` by default) and read back from there on
 * later runs. Files made by ffmpeg in the same two formats work as well.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fromBase64 } from '@parley/bytes';
import { type MediaClip, readIvf, readOggOpus, writeIvf, writeOggOpus } from './media-clip.js';

export interface ClipSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
  /** Frames between key frames. */
  readonly keyFrameInterval: number;
  readonly videoBitrate: number;
  readonly audioBitrate: number;
}

/** The benchmark's clip: what the ENVIRONMENT measurements used (small VP8, mono Opus). */
export const DEFAULT_CLIP_SPEC: ClipSpec = { width: 160, height: 120, fps: 15, seconds: 4, keyFrameInterval: 30, videoBitrate: 100_000, audioBitrate: 24_000 };

/** The minimal slice of a Playwright browser the generator needs. */
export interface ClipBrowser {
  newPage(): Promise<{ goto(url: string): Promise<unknown>; evaluate<R>(script: string): Promise<R>; close(): Promise<void> }>;
}

/** File names of a clip in its cache folder. */
export function clipFiles(folder: string, spec: ClipSpec = DEFAULT_CLIP_SPEC): { video: string; audio: string } {
  const base = `bot-clip-${spec.width}x${spec.height}-${spec.fps}fps-${spec.seconds}s`;
  return { video: join(folder, `${base}.ivf`), audio: join(folder, `${base}.opus.ogg`) };
}

/** Reads the clip from `folder`, encoding it in `browser` first when it is not there yet. */
export async function loadOrGenerateClip(folder: string, browser: ClipBrowser, spec: ClipSpec = DEFAULT_CLIP_SPEC): Promise<MediaClip> {
  const files = clipFiles(folder, spec);
  if (!existsSync(files.video) || !existsSync(files.audio)) {
    const clip = await generateClip(browser, spec);
    mkdirSync(folder, { recursive: true });
    writeFileSync(files.video, writeIvf(clip.video));
    writeFileSync(files.audio, writeOggOpus(clip.audio));
  }
  return { video: readIvf(readFileSync(files.video)), audio: readOggOpus(readFileSync(files.audio)) };
}

/** Encodes the clip with WebCodecs in a page of `browser` (served from loopback: WebCodecs needs a secure context). */
export async function generateClip(browser: ClipBrowser, spec: ClipSpec = DEFAULT_CLIP_SPEC): Promise<MediaClip> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>clip</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const encoded = await page.evaluate<{ video: string[]; audio: string[] }>(encodeScript(spec));
    return {
      video: { width: spec.width, height: spec.height, fps: spec.fps, frames: encoded.video.map((text) => fromBase64(text)) },
      audio: { frameMs: 20, frames: encoded.audio.map((text) => fromBase64(text)) },
    };
  } finally {
    await page.close();
    server.close();
  }
}

/** The page script, as a string: tsx would add helpers to a function that the page does not have. */
function encodeScript(spec: ClipSpec): string {
  return `(async () => {
  const spec = ${JSON.stringify(spec)};
  // Runs in the page, which cannot import @parley/bytes.
  const b64 = (buffer) => { let s = ''; const u = new Uint8Array(buffer); for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s); };
  const video = [];
  const videoEncoder = new VideoEncoder({
    output: (chunk) => { const b = new ArrayBuffer(chunk.byteLength); chunk.copyTo(b); video.push(b64(b)); },
    error: (e) => { throw e; },
  });
  videoEncoder.configure({ codec: 'vp8', width: spec.width, height: spec.height, bitrate: spec.videoBitrate, framerate: spec.fps, latencyMode: 'realtime' });
  const canvas = new OffscreenCanvas(spec.width, spec.height);
  const g = canvas.getContext('2d');
  const frames = spec.fps * spec.seconds;
  for (let i = 0; i < frames; i++) {
    const t = i / frames;
    g.fillStyle = 'hsl(' + Math.round(t * 360) + ', 60%, 40%)';
    g.fillRect(0, 0, spec.width, spec.height);
    g.fillStyle = '#fff';
    g.beginPath();
    g.arc(spec.width * (0.2 + 0.6 * t), spec.height / 2, spec.height / 5, 0, Math.PI * 2);
    g.fill();
    g.font = (spec.height / 5) + 'px sans-serif';
    g.fillText(String(i), 4, spec.height - 6);
    const frame = new VideoFrame(canvas, { timestamp: Math.round((i * 1e6) / spec.fps), duration: Math.round(1e6 / spec.fps) });
    videoEncoder.encode(frame, { keyFrame: i % spec.keyFrameInterval === 0 });
    frame.close();
  }
  await videoEncoder.flush();
  videoEncoder.close();

  const audio = [];
  const audioEncoder = new AudioEncoder({
    output: (chunk) => { const b = new ArrayBuffer(chunk.byteLength); chunk.copyTo(b); audio.push(b64(b)); },
    error: (e) => { throw e; },
  });
  audioEncoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: spec.audioBitrate, opus: { frameDuration: 20000 } });
  const perFrame = 960;
  const packets = spec.seconds * 50;
  for (let p = 0; p < packets; p++) {
    const data = new Float32Array(perFrame);
    for (let s = 0; s < perFrame; s++) {
      const n = p * perFrame + s;
      // A tone that swells and fades each second, so voice activity comes and goes.
      data[s] = 0.3 * Math.sin((2 * Math.PI * 440 * n) / 48000) * (0.5 + 0.5 * Math.sin((2 * Math.PI * n) / 48000));
    }
    const chunk = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: perFrame, numberOfChannels: 1, timestamp: Math.round((p * perFrame * 1e6) / 48000), data });
    audioEncoder.encode(chunk);
    chunk.close();
  }
  await audioEncoder.flush();
  audioEncoder.close();
  return { video, audio };
})()`;
}
