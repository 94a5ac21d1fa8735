/**
 * A window into the calls of a real shell page, from the test side only: an init script records
 * every RTCPeerConnection the page creates, so a test can read its stats (audio decoded, the
 * selected route) and its SDP without any hook in the apps.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { MediaPage } from './sframe-wire.js';

interface RecordingWindow {
  __parleyPeerConnections: RTCPeerConnection[];
}

/** Records the page's RTCPeerConnections (call before the page loads). */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const recorded: RTCPeerConnection[] = [];
    (window as unknown as RecordingWindow).__parleyPeerConnections = recorded;
    window.RTCPeerConnection = class extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        recorded.push(this);
      }
    } as typeof RTCPeerConnection;
  });
}

/** What the latest call's connection reports. */
export interface CallStats {
  /** Audio samples decoded, over every inbound audio stream. */
  readonly audioSamples: number;
  /** Energy of the audio decoded (`totalAudioEnergy`), over every inbound audio stream: silence adds none. */
  readonly audioEnergy: number;
  readonly videoFrames: number;
  readonly connectionState: string;
  /** The selected pair's local candidate type (`host`, `relay`, …); null before one. */
  readonly localCandidateType: string | null;
  readonly iceTransportPolicy: string | null;
}

/**
 * Stats of the page's call connection: its latest open RTCPeerConnection with a remote description,
 * else its latest with one (a call that ended), else its latest. The call app keeps caller
 * connections ready before any call; those have no remote description.
 */
export function callStats(page: MediaPage): Promise<CallStats> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as RecordingWindow).__parleyPeerConnections;
    // Firefox leaves connectionState of a closed connection as it was (signalingState says closed),
    // and its remoteDescription, getStats and getConfiguration throw then (InvalidStateError).
    const open = (p: RTCPeerConnection) => p.signalingState !== 'closed' && p.connectionState !== 'closed';
    const described = pcs.filter((p) => {
      try {
        return p.remoteDescription !== null;
      } catch {
        return false;
      }
    });
    const pc = described.filter(open).pop() ?? described.pop() ?? pcs[pcs.length - 1];
    if (!pc) return { audioSamples: 0, audioEnergy: 0, videoFrames: 0, connectionState: 'none', localCandidateType: null, iceTransportPolicy: null };
    const stats: Record<string, unknown>[] = [];
    // (In Firefox an ended call reports nothing.)
    const report = await Promise.resolve()
      .then(() => pc.getStats())
      .catch(() => null);
    report?.forEach((stat: Record<string, unknown>) => stats.push(stat));
    let audioSamples = 0;
    let audioEnergy = 0;
    let videoFrames = 0;
    let localId: unknown = null;
    for (const s of stats) {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        audioSamples += Number(s.totalSamplesReceived ?? 0);
        audioEnergy += Number(s.totalAudioEnergy ?? 0);
      }
      if (s.type === 'inbound-rtp' && s.kind === 'video') videoFrames += Number(s.framesDecoded ?? 0);
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        const pair = stats.find((p) => p.id === s.selectedCandidatePairId);
        localId = pair?.localCandidateId ?? null;
      }
    }
    const local = stats.find((s) => s.id === localId);
    return {
      audioSamples,
      audioEnergy,
      videoFrames,
      connectionState: pc.connectionState,
      localCandidateType: typeof local?.candidateType === 'string' ? local.candidateType : null,
      iceTransportPolicy: open(pc) ? (pc.getConfiguration().iceTransportPolicy ?? null) : null,
    };
  });
}

/** The local and remote SDP of every connection the page made (to look for them on the server). */
export function sessionDescriptions(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as RecordingWindow).__parleyPeerConnections.flatMap((pc) => [pc.localDescription?.sdp ?? '', pc.remoteDescription?.sdp ?? '']).filter(Boolean),
  );
}

/** The ICE servers of the page's call connection (as the call app configured it; chosen as in `callStats`). */
export function iceServers(page: Page): Promise<RTCIceServer[]> {
  return page.evaluate(() => {
    const pcs = (window as unknown as RecordingWindow).__parleyPeerConnections;
    const described = pcs.filter((p) => p.remoteDescription);
    const pc = described.filter((p) => p.connectionState !== 'closed').pop() ?? described.pop() ?? pcs[pcs.length - 1];
    return pc?.getConfiguration().iceServers ?? [];
  });
}
