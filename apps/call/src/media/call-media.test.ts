import { toBase64 } from '@parley/bytes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RtcCallMedia, isActiveTcp } from './call-media.js';
import { HOST_ONLY, type IceConfig } from './ice-config.js';

describe('candidates the peer can use', () => {
  it('recognises active TCP candidates, which only a passive candidate (never gathered by a browser) could pair with', () => {
    expect(isActiveTcp('candidate:3389407617 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 ufrag zJQL network-id 1')).toBe(true);
    expect(isActiveTcp('candidate:1 1 TCP 1518280447 192.0.2.1 9 typ host tcptype active')).toBe(true);
  });

  it('keeps UDP, relay and passive TCP candidates', () => {
    expect(isActiveTcp('candidate:3029886092 1 udp 2122260223 127.0.0.1 42329 typ host generation 0 ufrag zJQL network-id 1')).toBe(false);
    expect(isActiveTcp('candidate:2 1 udp 41885439 192.0.2.7 50000 typ relay raddr 0.0.0.0 rport 0 generation 0')).toBe(false);
    expect(isActiveTcp('candidate:3 1 tcp 1518280447 192.0.2.1 443 typ host tcptype passive')).toBe(false);
  });
});

/**
 * A connection that behaves as Chromium does where it matters here: applying an offer makes its
 * transceivers in a task of their own, and each sender and receiver that has no transform by the task
 * after that one passes frames through untouched for good (Blink's MaybeShortCircuitEncodedStreams):
 * setting a transform later changes nothing, and media goes out in clear.
 */
class ChromiumLikeConnection {
  readonly transceivers: FakeTransceiver[] = [];
  onicecandidate: unknown = null;
  onconnectionstatechange: unknown = null;
  ontrack: unknown = null;
  private configuration: RTCConfiguration = {};
  private checkedSignal!: () => void;
  /** Resolves once the pass-through decision of every sender and receiver of the offer was made. */
  readonly checked = new Promise<void>((resolve) => (this.checkedSignal = resolve));

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const kinds = [...(description.sdp ?? '').matchAll(/^m=(audio|video) /gm)].map((m) => m[1] as 'audio' | 'video');
    return new Promise((resolve) =>
      setTimeout(() => {
        for (const kind of kinds) this.transceivers.push(new FakeTransceiver(kind));
        setTimeout(() => this.checkedSignal(), 0);
        resolve();
      }, 0),
    );
  }

  getTransceivers(): FakeTransceiver[] {
    return this.transceivers;
  }

  getConfiguration(): RTCConfiguration {
    return this.configuration;
  }

  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
  }

  close(): void {}
}

/** A sender or receiver: `passThrough` once it had no transform by the task after its creation. */
class FakeEndpoint {
  transform: unknown = null;
  passThrough = false;
  constructor(readonly track: { kind: 'audio' | 'video' }) {
    setTimeout(() => {
      if (!this.transform) this.passThrough = true;
    }, 0);
  }
  setStreams(): void {}
}

class FakeTransceiver {
  readonly sender: FakeEndpoint;
  readonly receiver: FakeEndpoint;
  direction = 'recvonly';
  constructor(kind: 'audio' | 'video') {
    this.sender = new FakeEndpoint({ kind });
    this.receiver = new FakeEndpoint({ kind });
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the callee preparing its answer', () => {
  beforeEach(() => {
    vi.stubGlobal('MediaStream', class {});
    vi.stubGlobal('RTCRtpScriptTransform', class {
      constructor(readonly worker: unknown, readonly options: unknown) {}
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('encrypts and decrypts every track of the offer although the ICE configuration is still on its way (an offer that reaches a call app just started)', async () => {
    const connection = new ChromiumLikeConnection();
    const iceConfig = deferred<IceConfig>();
    const worker = { postMessage: () => {}, terminate: () => {}, onmessage: null };
    const media = new RtcCallMedia({
      role: 'callee',
      media: 'audio',
      startWorker: () => worker as unknown as Worker,
      connection: connection as unknown as RTCPeerConnection,
      iceConfig: iceConfig.promise,
    });
    const secret = toBase64(new Uint8Array(32).fill(7));
    media.prepareAnswer({ sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n', key: { suite: 4, generation: 0, secret } });

    await connection.checked;
    iceConfig.resolve(HOST_ONLY);
    // Whatever the preparation still had to do once the configuration came.
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(connection.transceivers).toHaveLength(1);
    for (const { sender, receiver } of connection.transceivers) {
      expect(sender.transform, 'the sender has its SFrame transform').not.toBeNull();
      expect(sender.passThrough, 'the sender encrypts (Chromium did not let it pass frames through)').toBe(false);
      expect(receiver.transform, 'the receiver has its SFrame transform').not.toBeNull();
      expect(receiver.passThrough, 'the receiver decrypts (Chromium did not let it pass frames through)').toBe(false);
    }
    media.close();
  });
});
