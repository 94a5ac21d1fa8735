// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- janode ships no types; this pulls ours into every program that compiles this file (e2e, tools), not only the server's.
/// <reference path="./janode.d.ts" />
/**
 * Room management on Janus through the pool: create a call's room on the least-loaded instance,
 * grant and revoke join tokens, destroy it. The group-call registry talks to this interface only,
 * so its rules are tested without a Janus (see group-calls.test.ts).
 */
import { GROUP_CALL_MAX_PARTICIPANTS } from '@parley/contracts';
import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import { type JanusPool, JanusUnavailableError } from './janus-pool.js';
import { SfuError, janusRefusal } from './sfu-error.js';

/** Where a room lives: the URL of its Janus instance. */
export type RoomPlacement = string;

/** What the registry needs from the SFU. */
export interface RoomBackend {
  /** Whether a room can be created now. */
  available(): boolean;
  /** Creates the room (replacing a stale one of the same id) and returns where it went. */
  createRoom(roomId: number, secret: string): Promise<RoomPlacement>;
  destroyRoom(placement: RoomPlacement, roomId: number, secret: string): Promise<void>;
  /** Adds a join token to the room's `allowed` list, or removes it. */
  setTokenAllowed(placement: RoomPlacement, roomId: number, secret: string, token: string, allowed: boolean): Promise<void>;
  /** Participants placed on an instance, for balancing. */
  adjustLoad(placement: RoomPlacement, delta: number): void;
}

/** Janus error: the room already exists. */
const JANUS_ROOM_EXISTS = 427;
/** Janus error: no such room. */
const JANUS_NO_SUCH_ROOM = 426;

/** `RoomBackend` on real Janus instances. */
export class JanusRooms implements RoomBackend {
  constructor(private readonly pool: JanusPool) {}

  available(): boolean {
    return this.pool.available;
  }

  async createRoom(roomId: number, secret: string): Promise<RoomPlacement> {
    // An external Janus may still hold the room from before a restart of this server: remove it
    // wherever it is, so the room is recreated with a fresh allowed list.
    for (const instance of this.pool.all()) {
      if (!instance.up) continue;
      const manager = await this.manager(instance.url);
      const { exists } = await manager.exists({ room: roomId }).catch(() => ({ exists: false }));
      if (exists) await manager.destroy({ room: roomId, secret }).catch(() => undefined);
    }
    let instance;
    try {
      instance = this.pool.place();
    } catch (error) {
      throw unavailable(error);
    }
    const manager = await this.manager(instance.url);
    const body = {
      request: 'create',
      room: roomId,
      permanent: false,
      // Listed to whoever holds Janus's API secret (only this server): lets operators and tests see
      // the room's settings; nothing secret is listed.
      is_private: false,
      secret,
      publishers: GROUP_CALL_MAX_PARTICIPANTS,
      // Publishers must mark their offer `e2ee`: Janus then never touches the (SFrame) payloads.
      require_e2ee: true,
      // Only holders of a token the server handed out may join (publisher or subscriber).
      allowed: [] as string[],
      audiolevel_event: true,
      audio_active_packets: 50,
      audio_level_average: 40,
      notify_joining: false,
      videocodec: 'vp8',
      audiocodec: 'opus',
    };
    try {
      const response = await manager.message(body);
      const data = pluginData(response);
      if (data.error_code === JANUS_ROOM_EXISTS) throw new SfuError('sfu_error', `Janus refused: room ${roomId} exists`);
      if (data.error_code) throw new SfuError('sfu_error', `Janus refused: ${String(data.error_code)} ${String(data.error)}`);
    } catch (error) {
      throw janusRefusal(error);
    }
    return instance.url;
  }

  async destroyRoom(placement: RoomPlacement, roomId: number, secret: string): Promise<void> {
    const manager = await this.manager(placement);
    try {
      await manager.destroy({ room: roomId, secret });
    } catch (error) {
      if ((error as { _code?: number })._code === JANUS_NO_SUCH_ROOM) return;
      throw janusRefusal(error);
    }
  }

  async setTokenAllowed(placement: RoomPlacement, roomId: number, secret: string, token: string, allowed: boolean): Promise<void> {
    const manager = await this.manager(placement);
    try {
      await manager.allow({ room: roomId, action: allowed ? 'add' : 'remove', list: [token], secret });
    } catch (error) {
      throw janusRefusal(error);
    }
  }

  adjustLoad(placement: RoomPlacement, delta: number): void {
    const instance = this.pool.all().find((candidate) => candidate.url === placement);
    if (instance) instance.load = Math.max(0, instance.load + delta);
  }

  /** A new VideoRoom handle on the instance holding a room, for a device's publisher or subscriber. */
  async attach(placement: RoomPlacement): Promise<VideoRoomHandle> {
    const instance = this.pool.all().find((candidate) => candidate.url === placement);
    if (!instance?.up) throw new SfuError('sfu_unavailable', 'The SFU holding this call is restarting; join again shortly.');
    try {
      return await instance.attach();
    } catch (error) {
      throw unavailable(error);
    }
  }

  private async manager(placement: RoomPlacement): Promise<VideoRoomHandle> {
    const instance = this.pool.all().find((candidate) => candidate.url === placement);
    if (!instance?.up) throw new SfuError('sfu_unavailable', 'The SFU holding this call is not reachable right now.');
    try {
      return await instance.manager();
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): SfuError {
  if (error instanceof SfuError) return error;
  if (error instanceof JanusUnavailableError) return new SfuError('sfu_unavailable', 'No SFU is reachable right now; try again shortly.');
  return janusRefusal(error);
}

function pluginData(response: Record<string, unknown>): Record<string, unknown> {
  const plugindata = response.plugindata as { data?: Record<string, unknown> } | undefined;
  return plugindata?.data ?? {};
}
