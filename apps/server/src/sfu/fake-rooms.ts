/**
 * Test helper: Janus rooms as the group-call registry drives them, without a Janus — what was
 * created, granted and destroyed, and where.
 */
import { expect } from 'vitest';
import type { RoomBackend } from './janus-rooms.js';
import { SfuError } from './sfu-error.js';

/** Rooms as the registry drives them, without a Janus: what was created, granted, destroyed. */
export class FakeRooms implements RoomBackend {
  up = true;
  readonly rooms = new Map<number, { placement: string; secret: string; allowed: Set<string> }>();
  readonly load = new Map<string, number>();

  available(): boolean {
    return this.up;
  }
  async createRoom(roomId: number, secret: string): Promise<string> {
    if (!this.up) throw new SfuError('sfu_unavailable', 'down');
    this.rooms.set(roomId, { placement: 'ws://janus-a', secret, allowed: new Set() });
    return 'ws://janus-a';
  }
  async destroyRoom(_placement: string, roomId: number, secret: string): Promise<void> {
    expect(this.rooms.get(roomId)?.secret).toBe(secret);
    this.rooms.delete(roomId);
  }
  async setTokenAllowed(_placement: string, roomId: number, secret: string, token: string, allowed: boolean): Promise<void> {
    const room = this.rooms.get(roomId);
    if (!room || room.secret !== secret) throw new SfuError('sfu_error', 'Janus refused: 426 no such room');
    if (allowed) room.allowed.add(token);
    else room.allowed.delete(token);
  }
  adjustLoad(placement: string, delta: number): void {
    this.load.set(placement, (this.load.get(placement) ?? 0) + delta);
  }
}

