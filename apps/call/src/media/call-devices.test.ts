import { describe, expect, it } from 'vitest';
import { type GetUserMedia, openCallDevices, openSwitchedDevice } from './call-devices.js';

/** A track that remembers being stopped. */
function fakeTrack(kind: 'audio' | 'video') {
  return { kind, stopped: false, stop() { this.stopped = true; } };
}

/** getUserMedia giving a stream of the kinds asked for; every track it made is in `made`. */
function fakeDevices() {
  const made: ReturnType<typeof fakeTrack>[] = [];
  const getUserMedia: GetUserMedia = async (constraints) => {
    const tracks = [...(constraints.audio ? [fakeTrack('audio')] : []), ...(constraints.video ? [fakeTrack('video')] : [])];
    made.push(...tracks);
    return {
      getTracks: () => tracks,
      getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
      getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    } as unknown as MediaStream;
  };
  return { made, getUserMedia };
}

describe('opening devices for a call', () => {
  it('switches to the device asked for while the call goes on', async () => {
    const { made, getUserMedia } = fakeDevices();
    const track = await openSwitchedDevice(getUserMedia, 'videoinput', 'cam-2', () => false);
    expect(track).toBe(made[0]);
    expect(made.map((t) => [t.kind, t.stopped])).toEqual([['video', false]]);
  });

  it('stops a switched device that opened after the call ended: no camera stays on', async () => {
    const { made, getUserMedia } = fakeDevices();
    expect(await openSwitchedDevice(getUserMedia, 'audioinput', 'mic-2', () => true)).toBeNull();
    expect(made.map((t) => [t.kind, t.stopped])).toEqual([['audio', true]]);
  });

  it('stops the devices of a call that ended while they opened', async () => {
    const { made, getUserMedia } = fakeDevices();
    await expect(openCallDevices(getUserMedia, { audio: true, video: true }, () => true)).rejects.toThrow('call ended');
    expect(made.map((t) => t.stopped)).toEqual([true, true]);
  });
});
