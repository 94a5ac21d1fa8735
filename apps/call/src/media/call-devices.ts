/**
 * Opening and switching this device's microphone and camera, the same for 1:1 calls
 * (call-media.ts) and group calls (group/group-media.ts).
 */

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

/** getUserMedia failed for want of a device (none, or busy): the call goes on without it. */
export function isMissingDevice(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError';
}

/**
 * Opens microphone and camera. No camera (or a busy one): a video call still works with the
 * microphone, receiving video. A stream that opens after the call ended is stopped at once.
 */
export async function openCallDevices(
  getUserMedia: GetUserMedia | undefined,
  constraints: { audio: MediaTrackConstraints | boolean; video: MediaTrackConstraints | boolean },
  ended: () => boolean,
): Promise<MediaStream> {
  const open = getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
  let stream: MediaStream;
  try {
    stream = await open(constraints);
  } catch (error) {
    if (!constraints.video || !isMissingDevice(error)) throw error;
    stream = await open({ audio: constraints.audio, video: false });
  }
  if (ended()) {
    for (const track of stream.getTracks()) track.stop();
    throw new Error('call ended while opening media');
  }
  return stream;
}

/**
 * Opens the microphone or camera `deviceId` to switch to it: its track, or null when it gives none
 * or the call ended while it opened (what opened is stopped then, so no device stays on).
 */
export async function openSwitchedDevice(
  getUserMedia: GetUserMedia | undefined,
  kind: 'audioinput' | 'videoinput',
  deviceId: string,
  ended: () => boolean,
  /** A microphone's constraints, when more than its id (e.g. its remembered audio processing). */
  microphone: MediaTrackConstraints = { deviceId: { exact: deviceId } },
): Promise<MediaStreamTrack | null> {
  const open = getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
  const fresh = await open(kind === 'audioinput' ? { audio: microphone } : { video: { deviceId: { exact: deviceId } } });
  const track = (kind === 'audioinput' ? fresh.getAudioTracks() : fresh.getVideoTracks())[0] ?? null;
  if (ended()) {
    for (const opened of fresh.getTracks()) opened.stop();
    return null;
  }
  return track;
}

/** Mutes or unmutes the microphone: the track keeps running and silence is sent. */
export function muteMicrophone(stream: MediaStream | null, muted: boolean): void {
  for (const track of stream?.getAudioTracks() ?? []) track.enabled = !muted;
}

/**
 * The camera track to send after turning the camera on or off: none when off, since a disabled
 * track would still send black frames.
 */
export function cameraToSend(stream: MediaStream | null, on: boolean): MediaStreamTrack | null {
  const camera = stream?.getVideoTracks()[0] ?? null;
  if (camera) camera.enabled = on;
  return on ? camera : null;
}

/**
 * Opens the microphone again with `constraints` and puts the new track in the old one's place: on
 * the sender (no renegotiation; its SFrame transform stays) and in `stream`, muted if the call is
 * (a moment of silence between the two).
 * For changes a running track cannot take (Chromium keeps a live microphone's processing). False
 * when there is no microphone to replace or it cannot be opened.
 */
export async function reopenMicrophone(
  stream: MediaStream | null,
  sender: RTCRtpSender | null,
  constraints: MediaTrackConstraints,
  muted: boolean,
  getUserMedia?: GetUserMedia,
): Promise<boolean> {
  if (!stream) return false;
  const open = getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
  // The old track goes first: while it runs, Chromium may hand out its source again, processing and all.
  const previous = stream.getAudioTracks();
  for (const track of previous) {
    stream.removeTrack(track);
    track.stop();
  }
  let track: MediaStreamTrack | undefined;
  try {
    track = (await open({ audio: constraints })).getAudioTracks()[0];
  } catch {
    // Not with these switches: at least a microphone again.
    track = (await open({ audio: true }).catch(() => null))?.getAudioTracks()[0];
  }
  await sender?.replaceTrack(track ?? null);
  if (!track) return false;
  track.enabled = !muted;
  stream.addTrack(track);
  return true;
}
