// Rough cost of SFrame per media stream on this machine (WebCrypto in Node). Times are wall time per
// frame, awaited one at a time, so they bound the CPU cost from above (they include async hand-offs).
// Run: npx nx run media-e2ee:bench   (not part of the tests: nothing here asserts a time)
import { CipherSuite, type CipherSuiteId, type MediaCodec, SFrameKeyRing, SFrameSender, TrackSlot, decryptFrame, deriveTrackKey, encryptFrame, generateSenderSecret } from '../src/index.js';

interface Stream {
  name: string;
  codec: MediaCodec;
  frameBytes: number;
  framesPerSecond: number;
}

const streams: Stream[] = [
  { name: 'Opus 20 ms (~100 B)', codec: 'opus', frameBytes: 100, framesPerSecond: 50 },
  { name: 'VP8 640x480 delta (~4 KB)', codec: 'vp8', frameBytes: 4_000, framesPerSecond: 30 },
  { name: 'VP8 1280x720 delta (~12 KB)', codec: 'vp8', frameBytes: 12_000, framesPerSecond: 30 },
];

async function measure(suite: CipherSuiteId, stream: Stream, frames: number): Promise<{ encryptUs: number; decryptUs: number }> {
  const secret = generateSenderSecret();
  const id = { generation: 0n, sender: 0, track: TrackSlot.camera };
  const sender = new SFrameSender();
  sender.setKey(await deriveTrackKey(suite, secret, id, 'encrypt'));
  const ring = new SFrameKeyRing({ replayWindow: 4096 });
  ring.add(await deriveTrackKey(suite, secret, id, 'decrypt'));
  const frame = globalThis.crypto.getRandomValues(new Uint8Array(stream.frameBytes));
  frame[0] = frame[0]! | 0x01; // a VP8 delta frame

  const wires: Uint8Array[] = [];
  let start = performance.now();
  for (let i = 0; i < frames; i++) {
    const result = await encryptFrame(sender, stream.codec, frame);
    if (!result.ok) throw new Error(result.failure.message);
    wires.push(result.value);
  }
  const encryptUs = ((performance.now() - start) * 1000) / frames;
  start = performance.now();
  for (const wire of wires) {
    const result = await decryptFrame(ring, stream.codec, wire);
    if (!result.ok) throw new Error(result.failure.message);
  }
  const decryptUs = ((performance.now() - start) * 1000) / frames;
  return { encryptUs, decryptUs };
}

for (const suite of [CipherSuite.AES_128_GCM_SHA256_128, CipherSuite.AES_256_GCM_SHA512_128, CipherSuite.AES_128_CTR_HMAC_SHA256_80]) {
  for (const stream of streams) {
    await measure(suite, stream, 200); // warm-up
    const { encryptUs, decryptUs } = await measure(suite, stream, 3_000);
    const corePercent = ((encryptUs + decryptUs) * stream.framesPerSecond) / 10_000;
    console.log(
      `suite 0x000${suite} ${stream.name.padEnd(28)} encrypt ${encryptUs.toFixed(1).padStart(6)} µs  decrypt ${decryptUs.toFixed(1).padStart(6)} µs  ` +
        `≈ ${corePercent.toFixed(2)}% of a core per stream at ${stream.framesPerSecond} fps (both directions)`,
    );
  }
}
