import { describe, expect, it } from 'vitest';
import { type StatsSample, rateQuality, sampleStats } from './call-quality.js';

const base: StatsSample = { at: 0, bytesReceived: 0, bytesSent: 0, packetsReceived: 0, packetsLost: 0, rttSeconds: 0.02, framesDecoded: 0, frameWidth: 0, frameHeight: 0, route: null };

describe('call quality', () => {
  it('reads inbound, outbound and the selected candidate pair from a stats report', () => {
    const sample = sampleStats(
      [
        { type: 'inbound-rtp', kind: 'audio', bytesReceived: 1000, packetsReceived: 50, packetsLost: 1 },
        { type: 'inbound-rtp', kind: 'video', bytesReceived: 9000, packetsReceived: 100, packetsLost: 2, framesDecoded: 30, frameWidth: 640, frameHeight: 480 },
        { type: 'outbound-rtp', kind: 'video', bytesSent: 7000 },
        { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.004, localCandidateId: 'L2' },
        { type: 'local-candidate', id: 'L1', candidateType: 'host' },
        { type: 'local-candidate', id: 'L2', candidateType: 'relay' },
        { type: 'candidate-pair', nominated: false, state: 'waiting', currentRoundTripTime: 9 },
      ],
      1000,
    );
    expect(sample).toEqual({ at: 1000, bytesReceived: 10_000, bytesSent: 7000, packetsReceived: 150, packetsLost: 3, rttSeconds: 0.004, framesDecoded: 30, frameWidth: 640, frameHeight: 480, route: 'relay' });
  });

  it('rates a clean, fast interval 4 bars with its bitrates', () => {
    const q = rateQuality(base, { ...base, at: 1000, bytesReceived: 125_000, bytesSent: 62_500, packetsReceived: 100, frameWidth: 640, frameHeight: 480 });
    expect(q).toMatchObject({ bars: 4, inKbps: 1000, outKbps: 500, loss: 0, rttMs: 20, resolution: '640×480' });
  });

  it('drops bars with loss and round-trip time', () => {
    const after = (lost: number, rtt: number) => rateQuality(base, { ...base, at: 1000, packetsReceived: 100 - lost, packetsLost: lost, rttSeconds: rtt });
    expect(after(3, 0.1).bars).toBe(3);
    expect(after(0, 0.4).bars).toBe(2);
    expect(after(8, 0.1).bars).toBe(2);
    expect(after(30, 0.1).bars).toBe(1);
    expect(after(0, 0.8).bars).toBe(1);
  });

  it('tells a direct route from a TURN relay by the selected pair\'s local candidate', () => {
    const pair = { type: 'candidate-pair', selected: true, state: 'succeeded', currentRoundTripTime: 0.001, localCandidateId: 'L' };
    expect(sampleStats([pair, { type: 'local-candidate', id: 'L', candidateType: 'host' }], 0).route).toBe('direct');
    expect(sampleStats([{ type: 'local-candidate', id: 'L', candidateType: 'srflx' }, pair], 0).route).toBe('direct');
    expect(sampleStats([{ type: 'local-candidate', id: 'L', candidateType: 'host' }], 0).route).toBeNull();
  });

  it('shows no bars when nothing arrived', () => {
    expect(rateQuality(base, { ...base, at: 1000 }).bars).toBe(0);
  });
});
