/**
 * Keeps an SDP's per-payload attributes consistent with its m-lines.
 *
 * Firefox, after `setCodecPreferences([VP8, rtx])`, still writes `a=rtcp-fb` (and may write
 * `a=fmtp` / `a=rtpmap`) lines for payload types its m-line no longer lists, and Chromium rejects
 * such an offer as a whole ("Failed to parse codecs correctly"). A line about a payload type the
 * m-line does not carry describes nothing that can be sent, so dropping it changes no media.
 */

/** Attributes that name one payload type right after the colon (`a=rtcp-fb:*` names them all). */
const PER_PAYLOAD = /^a=(rtpmap|fmtp|rtcp-fb):(\d+)[\s]/;

/** The SDP without attribute lines for payload types absent from their media section's m-line. */
export function dropOrphanPayloadAttributes(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  let listed: Set<string> | null = null; // null: the session part, before any m-line
  let dropped = false;
  const kept = lines.filter((line) => {
    if (line.startsWith('m=')) {
      // m=<media> <port> <proto> <fmt> ...
      listed = new Set(line.split(' ').slice(3));
      return true;
    }
    const match = listed ? PER_PAYLOAD.exec(line) : null;
    if (match && !listed!.has(match[2]!)) {
      dropped = true;
      return false;
    }
    return true;
  });
  return dropped ? kept.join(eol) : sdp;
}
