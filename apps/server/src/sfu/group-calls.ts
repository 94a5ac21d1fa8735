/**
 * The group-call registry: who is invited, who is in, which index each participant has, and the
 * lifetime of the call's Janus room. Calls are stored (storage.ts, migration 4) so they survive a
 * server restart; who is joined right now, and their join tokens, live in memory only.
 *
 * Rules (ARCHITECTURE "Calls", issue 8): only invited users' devices join; at most
 * GROUP_CALL_MAX_PARTICIPANTS; a participant index is never reused within a call (it is the
 * SFrame sender index); every joining device gets its own random token on the room's `allowed`
 * list, removed when it leaves; the last one out ends the call, and so does nobody joining within
 * `emptyCallTimeoutMs`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { WallClock } from '@parley/clock';
import { GROUP_CALL_MAX_PARTICIPANTS, type SfuEvent, type SfuParticipant } from '@parley/contracts';
import type { Logger } from 'pino';
import type { DeviceAddress, GroupCallRecord, GroupCallStore } from '../storage/storage.js';
import type { RoomBackend, RoomPlacement } from './janus-rooms.js';
import type { RoomSecrets } from './room-secret.js';
import { SfuError } from './sfu-error.js';

/** Receives the events of one joined participant's call (the device's gateway session). */
export type ParticipantSink = (event: SfuEvent) => void;

/** What the others are told about a participant besides its address (issue 9: call links, guests). */
export type ParticipantProfile = Pick<SfuParticipant, 'viaLink' | 'guest' | 'displayName'>;

/** A joined participant as the gateway sees it: its token goes to Janus, nowhere else. */
export interface JoinedParticipant extends SfuParticipant {
  token: string;
  /** The Janus feed id of its publisher (index + 1: Janus reserves 0). */
  feed: number;
  placement: RoomPlacement;
  roomId: number;
}

interface LiveParticipant {
  info: SfuParticipant;
  token: string;
  talking: boolean;
  sink: ParticipantSink;
}

interface LiveCall {
  record: GroupCallRecord;
  /** Where the room is now; null until (re)created. */
  placement: RoomPlacement | null;
  /** A room creation in flight, so concurrent first joins create it once. */
  creating: Promise<RoomPlacement> | null;
  participants: Map<number, LiveParticipant>;
  /** When the call last had no participant (its creation at first). */
  emptySince: number;
}

export interface GroupCallsOptions {
  storage: GroupCallStore;
  rooms: RoomBackend;
  secrets: RoomSecrets;
  clock: WallClock;
  log: Logger;
  /** An empty call (nobody joined yet, or everyone gone after an SFU restart) ends after this long. */
  emptyCallTimeoutMs: number;
  /**
   * Which node runs each call (several nodes on one database: call-leases.ts); absent: this node
   * runs every call (one node).
   */
  ownership?: CallOwnership;
  /**
   * Calls a user may have open (created by them, not ended) when starting another; absent: no cap.
   * Calls of call links are not held to it: a link runs one call at a time, started by whoever opens it.
   */
  openCallsPerUser?: number;
}

/** The call leases as the registry uses them (call-leases.ts). */
export interface CallOwnership {
  /** Takes the call's lease for this node (a new call), or says it is another node's to run. */
  own(callId: string): Promise<boolean>;
  /** Gives the lease of an ended call up. */
  release(callId: string): Promise<void>;
}

/** Janus feed id of a participant index. */
export const feedOf = (index: number): number => index + 1;
/** Participant index of a Janus feed id. */
export const indexOfFeed = (feed: number): number => feed - 1;

/** The registry; one per server. */
export class GroupCalls {
  private readonly live = new Map<string, LiveCall>();
  /** Devices of rooms lost with their SFU instance, told `restarted` once one is reachable. */
  private readonly awaitingRestart: ParticipantSink[] = [];
  /** Told about every call that ended (call links drop the requests waiting for it). */
  private readonly endListeners = new Set<(callId: string) => void>();

  /** Calls stored before this start count as empty from here: their devices need time to come back. */
  private readonly startedAt: number;

  constructor(private readonly options: GroupCallsOptions) {
    this.startedAt = options.clock.now();
  }

  /**
   * Opens a call from `creator` inviting these users (the creator is invited implicitly); a link's
   * call (`viaLink`) is not held to openCallsPerUser.
   */
  async create(creator: DeviceAddress, invitees: readonly string[], options: { viaLink?: boolean } = {}): Promise<{ callId: string }> {
    const users = unique([creator.userId, ...invitees]);
    if (users.length > GROUP_CALL_MAX_PARTICIPANTS) {
      throw new SfuError('call_full', `A group call holds at most ${GROUP_CALL_MAX_PARTICIPANTS} participants; ${users.length} were invited.`);
    }
    const cap = options.viaLink ? undefined : this.options.openCallsPerUser;
    // Checked first so no Janus room is made for nothing, and again where the call is stored.
    if (cap !== undefined && (await this.options.storage.openGroupCallsBy(creator.userId)) >= cap) throw tooManyCalls(cap);
    if (!this.options.rooms.available()) throw unavailable();
    // 128 random bits: knowing a call id must not be guessable from another one.
    const callId = randomBytes(16).toString('base64url');
    const record: GroupCallRecord = {
      callId,
      // Below 2^53 so it is exact in JSON and JavaScript; random so ids say nothing about other calls.
      roomId: randomInt(1, 2 ** 48),
      creator: creator.userId,
      invitees: users,
      createdAt: this.options.clock.now(),
    };
    const placement = await this.options.rooms.createRoom(record.roomId, this.options.secrets.secretFor(callId));
    try {
      if ((await this.options.storage.createGroupCall(record, cap)) === 'too_many_calls') throw tooManyCalls(cap!);
    } catch (error) {
      await this.options.rooms.destroyRoom(placement, record.roomId, this.options.secrets.secretFor(callId)).catch(() => undefined);
      throw error;
    }
    this.live.set(callId, { record, placement, creating: null, participants: new Map(), emptySince: record.createdAt });
    // A new id nobody else knows yet: the lease is this node's.
    await this.options.ownership?.own(callId);
    this.options.log.info({ callId, invitees: users.length }, 'group call created');
    return { callId };
  }

  /** Invites more users; the device must be in the call. */
  async invite(device: DeviceAddress, callId: string, invitees: readonly string[]): Promise<void> {
    const call = await this.call(callId);
    this.participantOf(call, device);
    const users = unique([...call.record.invitees, ...invitees]);
    if (users.length > GROUP_CALL_MAX_PARTICIPANTS) {
      throw new SfuError('call_full', `A group call holds at most ${GROUP_CALL_MAX_PARTICIPANTS} participants.`);
    }
    const added = users.filter((user) => !call.record.invitees.includes(user));
    if (added.length === 0) return;
    if (!(await this.options.storage.addGroupCallInvitees(callId, added))) throw notFound();
    call.record.invitees = users;
  }

  /**
   * Lets a device in: checks the invitation and the size, (re)creates the room when needed, hands
   * out a new index and a new token (added to the room's allowed list). A device already in is
   * replaced (a rejoin). The caller joins Janus with the token, and calls `leave` if that fails.
   */
  async join(
    device: DeviceAddress,
    callId: string,
    sink: ParticipantSink,
    profile: ParticipantProfile = {},
  ): Promise<{ self: JoinedParticipant; participants: SfuParticipant[]; host: string }> {
    const call = await this.call(callId);
    if (!call.record.invitees.includes(device.userId)) throw new SfuError('not_invited', 'You were not invited to this call.');
    const earlier = [...call.participants.values()].find((p) => sameDevice(p.info, device));
    // A rejoin (this device is still in) and the host always get in; anyone else waits for an unlock.
    if (lockedOut(call.record, device.userId) && !earlier) throw locked();
    if (earlier) await this.leave(callId, earlier.info.index, { keepCall: true });
    if (call.participants.size >= GROUP_CALL_MAX_PARTICIPANTS) {
      throw new SfuError('call_full', `This call already has ${GROUP_CALL_MAX_PARTICIPANTS} participants.`);
    }
    const placement = await this.ensureRoom(call);
    const index = await this.options.storage.takeGroupCallIndex(callId);
    if (index === undefined) throw notFound();
    const token = randomBytes(24).toString('base64url');
    await this.options.rooms.setTokenAllowed(placement, call.record.roomId, this.secretOf(call), token, true);
    if (!this.live.has(callId)) {
      // The call ended while the room was prepared (the empty-call sweep): take the token back.
      await this.options.rooms.setTokenAllowed(placement, call.record.roomId, this.secretOf(call), token, false).catch(() => undefined);
      throw notFound();
    }
    const info: SfuParticipant = { index, userId: device.userId, deviceId: device.deviceId, publishing: false, ...profile, joinedAt: this.options.clock.now() };
    const others = [...call.participants.values()].map((p) => ({ ...p.info }));
    call.participants.set(index, { info, token, talking: false, sink });
    this.options.rooms.adjustLoad(placement, 1);
    this.broadcast(call, { kind: 'joined', participant: { ...info } }, index);
    this.options.log.info({ callId, index, participants: call.participants.size }, 'group call participant joined');
    return { self: { ...info, token, feed: feedOf(index), placement, roomId: call.record.roomId }, participants: others, host: call.record.creator };
  }

  /** The host (the call's creator) locks or unlocks the call; `not_host` for anyone else. */
  async setLocked(device: DeviceAddress, callId: string, locked: boolean): Promise<void> {
    const call = await this.call(callId);
    this.participantOf(call, device);
    if (call.record.creator !== device.userId) throw new SfuError('not_host', 'Only the host of the call may lock it.');
    // Stored with who is in: the lock holds on whichever node runs the call next and across
    // restarts, and those in the call now can still come back after the SFU or their node failed.
    const lockedFor = locked ? unique([...call.participants.values()].map((p) => p.info.userId)) : null;
    if (!(await this.options.storage.setGroupCallLock(callId, lockedFor))) throw notFound();
    if (lockedFor) call.record.lockedFor = lockedFor;
    else delete call.record.lockedFor;
    this.options.log.info({ callId, locked }, 'group call lock changed');
  }

  /** Whether the host locked the call and this device is not in it (then it may not join). */
  async lockedOut(callId: string, device: DeviceAddress): Promise<boolean> {
    const call = await this.call(callId);
    return lockedOut(call.record, device.userId) && ![...call.participants.values()].some((p) => sameDevice(p.info, device));
  }

  /** The user id of the call's host: its creator (a link's call: the link's creator). */
  async hostOf(callId: string): Promise<string> {
    return (await this.call(callId)).record.creator;
  }

  /** Whether a user may join a call (invited, or admitted through its link). */
  async invited(callId: string, userId: string): Promise<boolean> {
    return (await this.call(callId)).record.invitees.includes(userId);
  }

  /**
   * Lets a user in or takes the invitation back, without being a participant (a link's call: the
   * server admits whoever the link lets in, and the link's creator removes people).
   */
  async setInvited(callId: string, userId: string, invited: boolean): Promise<void> {
    const call = await this.call(callId);
    const has = call.record.invitees.includes(userId);
    if (has === invited) return;
    if (invited) {
      if (call.record.invitees.length >= GROUP_CALL_MAX_PARTICIPANTS * 4) {
        // Bounded so a link passed around widely cannot grow a call's row without end.
        throw new SfuError('call_full', 'Too many people were let into this call.');
      }
      if (!(await this.options.storage.addGroupCallInvitees(callId, [userId]))) throw notFound();
      call.record.invitees = [...call.record.invitees, userId];
    } else {
      await this.options.storage.removeGroupCallInvitee(callId, userId);
      call.record.invitees = call.record.invitees.filter((user) => user !== userId);
    }
  }

  /** Takes a participant out on the link creator's word: it hears `removed`, the others `left`. */
  async remove(callId: string, index: number): Promise<void> {
    const participant = this.live.get(callId)?.participants.get(index);
    if (!participant) throw new SfuError('bad_request', `Nobody in the call has index ${index}.`);
    participant.sink({ kind: 'removed' });
    await this.leave(callId, index);
  }

  /** Calls `listener` with the id of every call that ends; returns the unsubscribe. */
  /** Live calls, their participants and rooms per Janus instance (metrics). */
  stats(): { calls: number; participants: number; roomsByInstance: Map<string, number> } {
    let participants = 0;
    const roomsByInstance = new Map<string, number>();
    for (const call of this.live.values()) {
      participants += call.participants.size;
      if (call.placement !== null) roomsByInstance.set(call.placement, (roomsByInstance.get(call.placement) ?? 0) + 1);
    }
    return { calls: this.live.size, participants, roomsByInstance };
  }

  onEnd(listener: (callId: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** The participant of a device in a call, or `not_joined`. */
  async participant(device: DeviceAddress, callId: string): Promise<JoinedParticipant> {
    const call = await this.call(callId);
    const participant = this.participantOf(call, device);
    if (!call.placement) throw new SfuError('not_joined', 'The SFU restarted: join the call again.');
    return { ...participant.info, token: participant.token, feed: feedOf(participant.info.index), placement: call.placement, roomId: call.record.roomId };
  }

  /** Participants of a call by index (to subscribe to them). */
  async participants(callId: string): Promise<SfuParticipant[]> {
    const call = await this.call(callId);
    return [...call.participants.values()].map((p) => ({ ...p.info }));
  }

  /** Marks a participant as publishing and tells the others (again after a renegotiation is fine). */
  published(callId: string, index: number): void {
    const call = this.live.get(callId);
    const participant = call?.participants.get(index);
    if (!call || !participant) return;
    participant.info.publishing = true;
    this.broadcast(call, { kind: 'published', participant: { ...participant.info } }, index);
  }

  /** Voice activity from Janus; every publisher handle reports it, so only changes go out. */
  talking(callId: string, index: number, talking: boolean): void {
    const call = this.live.get(callId);
    const participant = call?.participants.get(index);
    if (!call || !participant || participant.talking === talking) return;
    participant.talking = talking;
    this.broadcast(call, { kind: 'talking', participant: index, talking });
  }

  /**
   * Takes a participant out: revokes its token, tells the others, and ends the call when it was the
   * last one (unless `keepCall`, for a rejoin).
   */
  async leave(callId: string, index: number, options: { keepCall?: boolean } = {}): Promise<void> {
    const call = this.live.get(callId);
    const participant = call?.participants.get(index);
    if (!call || !participant) return;
    call.participants.delete(index);
    if (call.placement) {
      this.options.rooms.adjustLoad(call.placement, -1);
      await this.options.rooms
        .setTokenAllowed(call.placement, call.record.roomId, this.secretOf(call), participant.token, false)
        .catch((error: unknown) => this.options.log.warn({ callId, err: { message: (error as Error).message } }, 'could not revoke a join token'));
    }
    this.broadcast(call, { kind: 'left', participant: index });
    this.options.log.info({ callId, index, participants: call.participants.size }, 'group call participant left');
    if (call.participants.size === 0) {
      call.emptySince = this.options.clock.now();
      if (!options.keepCall) await this.end(callId, 'the last participant left');
    }
  }

  /** Ends a call for everyone: destroys its room and forgets it. */
  async end(callId: string, reason: string): Promise<void> {
    const call = this.live.get(callId);
    const record = call?.record ?? (await this.options.storage.groupCall(callId));
    if (!record) return;
    this.live.delete(callId);
    if (call) {
      for (const participant of call.participants.values()) participant.sink({ kind: 'ended' });
      if (call.placement) {
        this.options.rooms.adjustLoad(call.placement, -call.participants.size);
        await this.options.rooms
          .destroyRoom(call.placement, record.roomId, this.secretOf(call))
          .catch((error: unknown) => this.options.log.warn({ callId, err: { message: (error as Error).message } }, 'could not destroy a janus room'));
      }
    }
    await this.options.storage.deleteGroupCall(callId);
    await this.options.ownership?.release(callId).catch(() => undefined);
    this.options.log.info({ callId, reason }, 'group call ended');
    for (const listener of this.endListeners) listener(callId);
  }

  /** Ends the calls nobody is in since `emptyCallTimeoutMs` (stored ones from before a restart too). */
  async sweep(): Promise<void> {
    const now = this.options.clock.now();
    for (const record of await this.options.storage.groupCalls()) {
      const call = this.live.get(record.callId);
      const emptySince = call ? (call.participants.size === 0 ? call.emptySince : undefined) : Math.max(record.createdAt, this.startedAt);
      if (emptySince !== undefined && now - emptySince >= this.options.emptyCallTimeoutMs) {
        // A call may be running on another node: only its owner (or whoever takes an expired
        // lease) ends it.
        if (this.options.ownership && !(await this.options.ownership.own(record.callId))) continue;
        await this.end(record.callId, call ? 'nobody joined in time' : 'nobody rejoined after a restart');
      }
    }
  }

  /**
   * Another node took this call over (this node failed to renew its lease in time): it is no
   * longer run here. Its devices join again, which reaches the new owner; the room, the stored
   * call and the tokens are the new owner's to replace.
   */
  forget(callId: string): void {
    const call = this.live.get(callId);
    if (!call) return;
    this.live.delete(callId);
    if (call.placement) this.options.rooms.adjustLoad(call.placement, -call.participants.size);
    for (const participant of call.participants.values()) participant.sink({ kind: 'restarted' });
    this.options.log.warn({ callId }, 'group call taken over by another node');
  }

  /**
   * An SFU instance went away: its rooms are gone with every participant's Janus state. The
   * participants are told to join again (`restarted`); the first rejoin recreates the room.
   */
  roomsLost(placement: RoomPlacement): void {
    for (const call of this.live.values()) {
      if (call.placement !== placement) continue;
      call.placement = null;
      const participants = [...call.participants.values()];
      call.participants.clear();
      call.emptySince = this.options.clock.now();
      this.awaitingRestart.push(...participants.map((participant) => participant.sink));
    }
    // Another instance can take the rooms now; otherwise the devices hear it once one is back.
    if (this.options.rooms.available()) this.roomsRestored();
  }

  /** An SFU instance is reachable again: the devices of lost rooms may join again now. */
  roomsRestored(): void {
    const sinks = this.awaitingRestart.splice(0);
    for (const sink of sinks) sink({ kind: 'restarted' });
  }

  private async call(callId: string): Promise<LiveCall> {
    const known = this.live.get(callId);
    if (known) return known;
    // A call from before a restart of this server: its room is recreated on the first join.
    const record = await this.options.storage.groupCall(callId);
    if (!record) throw notFound();
    const again = this.live.get(callId);
    if (again) return again;
    const call: LiveCall = { record, placement: null, creating: null, participants: new Map(), emptySince: this.options.clock.now() };
    this.live.set(callId, call);
    return call;
  }

  private async ensureRoom(call: LiveCall): Promise<RoomPlacement> {
    if (call.placement) return call.placement;
    if (!this.options.rooms.available()) throw unavailable();
    call.creating ??= this.options.rooms.createRoom(call.record.roomId, this.secretOf(call)).finally(() => {
      call.creating = null;
    });
    const placement = await call.creating;
    call.placement = placement;
    return placement;
  }

  private participantOf(call: LiveCall, device: DeviceAddress): LiveParticipant {
    const participant = [...call.participants.values()].find((p) => sameDevice(p.info, device));
    if (!participant) throw new SfuError('not_joined', 'Join the call first.');
    return participant;
  }

  private secretOf(call: LiveCall): string {
    return this.options.secrets.secretFor(call.record.callId);
  }

  private broadcast(call: LiveCall, event: SfuEvent, except?: number): void {
    for (const [index, participant] of call.participants) {
      if (index !== except) participant.sink(event);
    }
  }
}

/** Whether the call is locked against this user: not its host, nor in it when it was locked. */
function lockedOut(record: GroupCallRecord, userId: string): boolean {
  return record.lockedFor !== undefined && userId !== record.creator && !record.lockedFor.includes(userId);
}

function sameDevice(a: DeviceAddress, b: DeviceAddress): boolean {
  return a.userId === b.userId && a.deviceId === b.deviceId;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function notFound(): SfuError {
  return new SfuError('call_not_found', 'No running call has this id.');
}

function unavailable(): SfuError {
  return new SfuError('sfu_unavailable', 'Group calls are not available right now: no SFU is reachable.');
}

function locked(): SfuError {
  return new SfuError('call_locked', 'The host locked this call: nobody new can join.');
}

function tooManyCalls(cap: number): SfuError {
  return new SfuError('too_many_calls', `You have ${cap} group calls open; end one before starting another.`);
}
