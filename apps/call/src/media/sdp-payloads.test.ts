import { describe, expect, it } from 'vitest';
import { dropOrphanPayloadAttributes } from './sdp-payloads.js';

/** The video section of an offer Firefox ESR 153 wrote after setCodecPreferences([VP8, rtx]). */
const firefoxOffer = [
  'v=0',
  'o=mozilla...THIS_IS_SDPARTA-99.0 1 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 109 101',
  'a=mid:0',
  'a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1',
  'a=rtpmap:109 opus/48000/2',
  'a=rtpmap:101 telephone-event/8000/1',
  'm=video 9 UDP/TLS/RTP/SAVPF 120 124',
  'a=mid:1',
  'a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1',
  'a=fmtp:120 max-fs=12288;max-fr=60',
  'a=fmtp:124 apt=120',
  'a=rtcp-fb:120 nack',
  'a=rtcp-fb:120 ccm fir',
  'a=rtcp-fb:126 nack',
  'a=rtcp-fb:126 goog-remb',
  'a=rtcp-fb:97 transport-cc',
  'a=rtcp-fb:* ccm tmmbr',
  'a=rtpmap:120 VP8/90000',
  'a=rtpmap:124 rtx/90000',
  'a=rtpmap:126 H264/90000',
  '',
].join('\r\n');

describe('SDP payload attributes', () => {
  it("drops Firefox's rtcp-fb, fmtp and rtpmap lines for payload types its m-line no longer lists", () => {
    const cleaned = dropOrphanPayloadAttributes(firefoxOffer);
    expect(cleaned).not.toMatch(/^a=(rtcp-fb|fmtp|rtpmap):(126|97) /m);
    expect(cleaned).toContain('a=rtcp-fb:120 nack\r\n');
    expect(cleaned).toContain('a=fmtp:124 apt=120\r\n');
    expect(cleaned).toContain('a=rtpmap:124 rtx/90000\r\n');
    expect(cleaned).toContain('a=rtcp-fb:* ccm tmmbr\r\n');
    expect(cleaned.endsWith('\r\n')).toBe(true);
  });

  it("judges each section by its own m-line: audio's payload types do not keep video's lines", () => {
    const cleaned = dropOrphanPayloadAttributes(firefoxOffer);
    expect(cleaned).toContain('a=rtpmap:101 telephone-event/8000/1');
    const video = cleaned.slice(cleaned.indexOf('m=video'));
    expect(video).not.toMatch(/^a=\w+(-\w+)?:(109|101) /m);
  });

  it('leaves a consistent SDP untouched', () => {
    const once = dropOrphanPayloadAttributes(firefoxOffer);
    expect(dropOrphanPayloadAttributes(once)).toBe(once);
  });
});
