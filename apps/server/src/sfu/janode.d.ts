/**
 * The part of janode 1.8.0 (plain JavaScript, no types of its own) that the SFU modules use.
 * Written from its source (src/janode.js, connection.js, session.js, handle.js,
 * plugins/videoroom-plugin.js); extend it when more of janode is used.
 */
declare module 'janode' {
  import type { EventEmitter } from 'node:events';

  export interface JanodeServerAddress {
    url: string;
    apisecret?: string;
  }

  export interface JanodeConfig {
    address: JanodeServerAddress | JanodeServerAddress[];
    retry_time_secs?: number;
    max_retries?: number;
    is_admin?: boolean;
  }

  export interface JanodeConnection extends EventEmitter {
    create(keepAliveIntervalSecs?: number): Promise<JanodeSession>;
    close(): Promise<void>;
    getInfo(): Promise<Record<string, unknown>>;
  }

  export interface JanodeSession extends EventEmitter {
    readonly id: number;
    attach<H>(plugin: { id: string; Handle: new (...args: never[]) => H }): Promise<H>;
    destroy(): Promise<void>;
  }

  export interface JanodeHandle extends EventEmitter {
    readonly id: number;
    detach(): Promise<void>;
    hangup(): Promise<void>;
    trickle(candidate: unknown): Promise<unknown>;
    trickleComplete(): Promise<unknown>;
    message(body: Record<string, unknown>, jsep?: unknown): Promise<Record<string, unknown>>;
  }

  const Janode: {
    connect(config: JanodeConfig): Promise<JanodeConnection>;
    Logger: { setLevel(level: 'none' | 'error' | 'warning' | 'info' | 'verbose' | 'debug'): string };
    EVENT: {
      CONNECTION_CLOSED: 'connection_closed';
      SESSION_DESTROYED: 'session_destroyed';
      HANDLE_DETACHED: 'handle_detached';
      HANDLE_HANGUP: 'handle_hangup';
      HANDLE_WEBRTCUP: 'handle_webrtcup';
      CONNECTION_ERROR: 'connection_error';
    };
  };
  export default Janode;
}

declare module 'janode/plugins/videoroom' {
  import type { JanodeHandle } from 'janode';

  /** A session description as Janus takes and gives it. */
  export interface JanusJsep {
    type: 'offer' | 'answer';
    sdp: string;
    e2ee?: boolean;
  }

  /** One entry of a multistream subscriber's `streams`. */
  export interface JanusSubscriberStream {
    mid: string;
    type: 'audio' | 'video' | 'data';
    feed_id?: number;
    feed_mid?: string;
    /** What the publisher said the stream is (its `descriptions` entry). */
    feed_description?: string;
    active?: boolean;
  }

  export interface VideoRoomHandle extends JanodeHandle {
    joinPublisher(params: { room: number; feed?: number; display?: string; token?: string }): Promise<{ feed: number; publishers: unknown[] }>;
    publish(params: { jsep: JanusJsep; e2ee?: boolean; display?: string; descriptions?: Array<{ mid: string; description: string }> }): Promise<{ jsep?: JanusJsep }>;
    configure(params: {
      jsep?: JanusJsep;
      e2ee?: boolean;
      streams?: Array<{ mid: string; substream?: number; send?: boolean }>;
      descriptions?: Array<{ mid: string; description: string }>;
    }): Promise<{ jsep?: JanusJsep }>;
    joinSubscriber(params: { room: number; streams: Array<{ feed: number; mid?: string }>; token?: string; use_msid?: boolean }): Promise<{
      jsep?: JanusJsep;
      streams?: JanusSubscriberStream[];
    }>;
    update(params: { subscribe?: Array<{ feed: number; mid?: string }>; unsubscribe?: Array<{ feed: number }> }): Promise<{
      jsep?: JanusJsep;
      streams?: JanusSubscriberStream[];
    }>;
    start(params: { jsep: JanusJsep; e2ee?: boolean }): Promise<unknown>;
    leave(): Promise<unknown>;
    exists(params: { room: number }): Promise<{ exists: boolean }>;
    list(): Promise<{ list: Array<{ room: number; num_participants?: number; require_e2ee?: boolean }> }>;
    destroy(params: { room: number; secret?: string }): Promise<unknown>;
    allow(params: { room: number; action: 'enable' | 'disable' | 'add' | 'remove'; list?: string[]; secret?: string }): Promise<{ list?: string[] }>;
    listParticipants(params: { room: number; secret?: string }): Promise<{ participants: Array<{ feed: number; display?: string; publisher?: boolean }> }>;
  }

  const VideoRoomPlugin: {
    id: string;
    Handle: new (...args: never[]) => VideoRoomHandle;
    EVENT: {
      VIDEOROOM_TALKING: 'videoroom_talking';
      VIDEOROOM_UPDATED: 'videoroom_updated';
      VIDEOROOM_DESTROYED: 'videoroom_destroyed';
      VIDEOROOM_UNPUBLISHED: 'videoroom_unpublished';
      VIDEOROOM_LEAVING: 'videoroom_leaving';
      VIDEOROOM_ERROR: 'videoroom_error';
    };
  };
  export default VideoRoomPlugin;
}
