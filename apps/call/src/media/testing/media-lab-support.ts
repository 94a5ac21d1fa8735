/** Helpers of the media lab page: stats reading and a look at frames as they travel. */
import { toBase64 } from '@parley/bytes';
import { type MediaCodec, clearPrefixLength, decodeHeader } from '@parley/media-e2ee';
import type { TransformCounters } from '../sframe-protocol.js';

export type LabScenario = 'right-keys' | 'wrong-key' | 'eavesdropper' | 'callee-without-camera';

/** The counters of one inbound RTP stream that the lab pages report. */
export interface InboundSummary {
  readonly packetsReceived: number;
  readonly framesDecoded: number;
  readonly framesReceived: number;
  readonly totalSamplesReceived: number;
  readonly totalAudioEnergy: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
}

export interface LabSide {
  readonly connection: string;
  readonly inbound: { readonly audio: InboundSummary; readonly video: InboundSummary };
  readonly counters: readonly TransformCounters[];
  readonly health: { decrypted: number; dropped: number; failing: boolean; lastFailure: string | null };
  readonly videoTime: number;
  readonly videoSize: readonly number[];
  /** Eavesdropper only: how its received frames parse. */
  readonly audioFrames?: FramesOnWire;
  readonly videoFrames?: FramesOnWire;
}

export interface FramesOnWire {
  readonly count: number;
  /** Frames that parse as an SFrame header with the expected KID where one is expected. */
  readonly sframeWithExpectedKid: number;
  /** Counters of those frames, in order. */
  readonly counters: readonly number[];
}

/** A random 32-byte secret, base64: a key nobody encrypts with. */
export function base64Secret(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

const EMPTY: InboundSummary = { packetsReceived: 0, framesDecoded: 0, framesReceived: 0, totalSamplesReceived: 0, totalAudioEnergy: 0, frameWidth: 0, frameHeight: 0 };

/** The counters of one `inbound-rtp` entry of a stats report (0 for those it lacks). */
export function inboundSummary(stat: Record<string, unknown>): InboundSummary {
  return {
    packetsReceived: Number(stat.packetsReceived ?? 0),
    framesDecoded: Number(stat.framesDecoded ?? 0),
    framesReceived: Number(stat.framesReceived ?? 0),
    totalSamplesReceived: Number(stat.totalSamplesReceived ?? 0),
    totalAudioEnergy: Number(stat.totalAudioEnergy ?? 0),
    frameWidth: Number(stat.frameWidth ?? 0),
    frameHeight: Number(stat.frameHeight ?? 0),
  };
}

/** Inbound RTP counters per kind. */
export async function inboundStats(pc: RTCPeerConnection): Promise<{ audio: InboundSummary; video: InboundSummary }> {
  const result = { audio: EMPTY, video: EMPTY };
  const report = await pc.getStats();
  report.forEach((stat: Record<string, unknown>) => {
    if (stat.type !== 'inbound-rtp') return;
    result[stat.kind === 'audio' ? 'audio' : 'video'] = inboundSummary(stat);
  });
  return result;
}

/**
 * Parses received frames as SFrame (after VP8's clear payload header for video): plain Opus or VP8
 * would not carry the expected KID with rising counters frame after frame.
 */
export function describeFrames(frames: readonly Uint8Array[], codec: MediaCodec, kid: bigint): FramesOnWire {
  const counters: number[] = [];
  let sframe = 0;
  for (const frame of frames) {
    const header = decodeHeader(frame.subarray(clearPrefixLength(codec, frame)));
    if (header.ok && header.value.kid === kid) {
      sframe += 1;
      counters.push(Number(header.value.ctr));
    }
  }
  return { count: frames.length, sframeWithExpectedKid: sframe, counters };
}
