/**
 * Connection quality from `RTCPeerConnection.getStats()`: bitrates, loss and round-trip time between
 * two samples, and a 0–4 bar rating. Pure functions over plain stat records, so they are unit-tested
 * with recorded numbers.
 */

/** The counters read from one getStats() report. */
export interface StatsSample {
  /** ms, the report's timestamp. */
  readonly at: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  /** Seconds, of the selected candidate pair; null before there is one. */
  readonly rttSeconds: number | null;
  readonly framesDecoded: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** How media flows on the selected pair: `relay` through TURN, `direct` otherwise; null before a pair. */
  readonly route: MediaRoute | null;
}

/** Through a TURN relay, or straight between the two browsers (host, srflx, prflx). */
export type MediaRoute = 'direct' | 'relay';

/** What the quality indicator and the stats panel show. */
export interface CallQuality {
  readonly bars: 0 | 1 | 2 | 3 | 4;
  readonly inKbps: number;
  readonly outKbps: number;
  /** Share of packets lost in the interval, 0–1. */
  readonly loss: number;
  readonly rttMs: number | null;
  readonly framesDecoded: number;
  readonly resolution: string | null;
  readonly route: MediaRoute | null;
}

export const NO_QUALITY: CallQuality = { bars: 0, inKbps: 0, outKbps: 0, loss: 0, rttMs: null, framesDecoded: 0, resolution: null, route: null };

/** Sums inbound/outbound RTP and reads the selected candidate pair of a stats report. */
export function sampleStats(report: Iterable<Record<string, unknown>>, at: number): StatsSample {
  let bytesReceived = 0;
  let bytesSent = 0;
  let packetsReceived = 0;
  let packetsLost = 0;
  let framesDecoded = 0;
  let frameWidth = 0;
  let frameHeight = 0;
  let rttSeconds: number | null = null;
  let selectedLocalId: unknown = null;
  const candidateTypes = new Map<unknown, unknown>();
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  for (const stat of report) {
    if (stat.type === 'inbound-rtp') {
      bytesReceived += num(stat.bytesReceived);
      packetsReceived += num(stat.packetsReceived);
      packetsLost += Math.max(0, num(stat.packetsLost));
      if (stat.kind === 'video') {
        framesDecoded += num(stat.framesDecoded);
        frameWidth = Math.max(frameWidth, num(stat.frameWidth));
        frameHeight = Math.max(frameHeight, num(stat.frameHeight));
      }
    } else if (stat.type === 'outbound-rtp') {
      bytesSent += num(stat.bytesSent);
    } else if (stat.type === 'candidate-pair' && (stat.nominated || stat.selected) && stat.state === 'succeeded' && typeof stat.currentRoundTripTime === 'number') {
      rttSeconds = stat.currentRoundTripTime;
      selectedLocalId = stat.localCandidateId;
    } else if (stat.type === 'local-candidate') {
      candidateTypes.set(stat.id, stat.candidateType);
    }
  }
  const localType = candidateTypes.get(selectedLocalId);
  const route: MediaRoute | null = typeof localType !== 'string' ? null : localType === 'relay' ? 'relay' : 'direct';
  return { at, bytesReceived, bytesSent, packetsReceived, packetsLost, rttSeconds, framesDecoded, frameWidth, frameHeight, route };
}

/**
 * Bars: 4 with loss under 2 % and RTT under 150 ms, 3 under 5 % / 300 ms, 2 under 10 % / 500 ms,
 * otherwise 1; 0 when nothing arrived in the interval.
 */
export function rateQuality(previous: StatsSample, current: StatsSample): CallQuality {
  const seconds = Math.max(0.001, (current.at - previous.at) / 1000);
  const received = current.packetsReceived - previous.packetsReceived;
  const lost = Math.max(0, current.packetsLost - previous.packetsLost);
  const loss = received + lost > 0 ? lost / (received + lost) : 0;
  const rttMs = current.rttSeconds === null ? null : Math.round(current.rttSeconds * 1000);
  const inKbps = Math.max(0, ((current.bytesReceived - previous.bytesReceived) * 8) / 1000 / seconds);
  const outKbps = Math.max(0, ((current.bytesSent - previous.bytesSent) * 8) / 1000 / seconds);
  const rtt = rttMs ?? 0;
  let bars: CallQuality['bars'];
  if (received <= 0) bars = 0;
  else if (loss < 0.02 && rtt < 150) bars = 4;
  else if (loss < 0.05 && rtt < 300) bars = 3;
  else if (loss < 0.1 && rtt < 500) bars = 2;
  else bars = 1;
  const resolution = current.frameWidth > 0 ? `${current.frameWidth}×${current.frameHeight}` : null;
  return { bars, inKbps: Math.round(inKbps), outKbps: Math.round(outKbps), loss, rttMs, framesDecoded: current.framesDecoded, resolution, route: current.route };
}
