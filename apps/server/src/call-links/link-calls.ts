/**
 * A call link's group call, as the SFU requests `join-link`, `admit` and `remove` drive it. A
 * link's call is an ordinary group call (sfu/group-calls.ts) whose creator is the link's creator:
 * started by the first `join-link`, ended when its last participant leaves; the next `join-link`
 * starts a new one. Who may join is the call's invitee list, so keys and media follow the group
 * call's rules unchanged: the link's creator is invited; without approval everyone holding the
 * link is let in on `join-link`; with approval, only those the creator admits.
 *
 * Waiting for approval (kept in memory: a restart drops the waiting, whose devices ask again):
 * - `join-link` by someone not yet let in answers `{ waiting, requestId }` and starts the link's
 *   call if none runs, so the request belongs to that call. The creator's devices in the call get
 *   a `join-request` now, or when one of them joins. Asking again from the same device while
 *   waiting answers the same request id.
 * - `admit` answers the waiting device with `link-admission`: admitted, its next `join-link`
 *   joins; refused, the request is gone and a new `join-link` asks anew.
 * - The call ending (revoked, the last one left, or nobody admitted anyone within the empty-call
 *   timeout) answers the waiting devices `link-admission` refused: they never learnt the call id,
 *   so an `ended` would not reach them; a new `join-link` starts over.
 * - Turning approval off (PATCH) admits everyone waiting for the link's call, except people the
 *   creator removed from it: those still wait for the creator's word.
 * - `remove` takes a participant out (`removed`) and takes its user's invitation back for this
 *   call, whatever the approval mode: to come back they ask and the creator admits them again.
 * - The host (the link's creator) may lock the call (sfu `lock`): then a `join-link` from anyone
 *   not in it is refused `call_locked` at once, before any waiting for approval.
 * - `invite` in a link's call is the creator's alone (it counts as admitting, and so lifts a
 *   removal): a participant inviting someone would let them past approval or back in after a
 *   removal. A `join` by call id from a removed user is refused as well, whatever the invitee list.
 */
import type { ServerFrame, SfuEvent } from '@parley/contracts';
import type { Logger } from 'pino';
import { newRandomId } from '../accounts/device-auth.js';
import type { GroupCalls, ParticipantProfile } from '../sfu/group-calls.js';
import { SfuError } from '../sfu/sfu-error.js';
import type { LinkCallsPort, LinkJoin } from '../sfu/sfu-gateway.js';
import type { AccountStore, CallLinkRecord, CallLinkStore, DeviceAddress, GroupCallStore } from '../storage/storage.js';
import type { CallLinkDirectory } from './call-link-directory.js';
import { CallLinkError } from './call-link-error.js';

interface WaitingRequest {
  requestId: string;
  callId: string;
  device: DeviceAddress;
  displayName: string;
  guest: boolean;
}

export interface LinkCallsOptions {
  directory: CallLinkDirectory;
  storage: CallLinkStore & Pick<AccountStore, 'accountById'> & Pick<GroupCallStore, 'groupCall'>;
  calls: GroupCalls;
  /** Pushes a frame to a device's relay connection, if it has one. */
  notify: (device: DeviceAddress, frame: ServerFrame) => void;
  log: Logger;
}

/** Most requests waiting for one call's creator: a link passed around cannot fill the memory. */
const MAX_WAITING_PER_CALL = 64;

/** The SFU side of call links; one per server. */
export class LinkCalls implements LinkCallsPort {
  private readonly waiting = new Map<string, WaitingRequest>();
  /** Calls being started per link room id, so concurrent first joins start one call. */
  private readonly starting = new Map<string, Promise<string>>();
  readonly stop: () => void;

  constructor(private readonly options: LinkCallsOptions) {
    const unsubscribes = [
      options.calls.onEnd((callId) => this.callEnded(callId)),
      options.directory.onChange((link) => {
        if (!link.approval && link.callId) {
          const callId = link.callId;
          this.admitAll(callId).catch((error: unknown) =>
            options.log.warn({ callId, err: { message: (error as Error).message } }, 'could not admit the waiting after approval was turned off'),
          );
        }
      }),
    ];
    this.stop = () => unsubscribes.forEach((unsubscribe) => unsubscribe());
  }

  async joinLink(device: DeviceAddress, roomId: string, verifier: string): Promise<LinkJoin> {
    const link = await this.open(roomId, verifier);
    const callId = await this.callOf(link, device);
    const { calls, storage, directory } = this.options;
    if (device.userId !== link.creator) {
      if (await calls.lockedOut(callId, device)) throw new SfuError('call_locked', 'The host locked this call: nobody new can join.');
      const removed = await storage.callLinkRemoved(callId, device.userId);
      const letIn = !removed && (!link.approval || (await calls.invited(callId, device.userId)));
      if (!letIn) return this.ask(link, callId, device);
      await calls.setInvited(callId, device.userId, true);
    }
    await directory.used(link.roomId);
    return { kind: 'join', callId };
  }

  async admit(device: DeviceAddress, callId: string, requestId: string, admit: boolean): Promise<void> {
    await this.administered(device, callId);
    const request = this.waiting.get(requestId);
    if (!request || request.callId !== callId) throw new SfuError('bad_request', 'Nobody waits with this request id (answered already, or gone).');
    this.waiting.delete(requestId);
    if (admit) {
      await this.options.storage.setCallLinkRemoval(callId, request.device.userId, false);
      await this.options.calls.setInvited(callId, request.device.userId, true);
    }
    this.options.log.info({ callId, admitted: admit }, 'call link join request answered');
    this.send(request.device, callId, { kind: 'link-admission', requestId, admitted: admit });
  }

  /** The host removes someone: in a link's call its creator, in any other group call whoever started it. */
  async remove(device: DeviceAddress, callId: string, index: number): Promise<void> {
    const host = await this.hostOrRefuse(device, callId);
    const target = (await this.options.calls.participants(callId)).find((p) => p.index === index);
    if (!target) throw new SfuError('bad_request', `Nobody in the call has index ${index}.`);
    if (target.userId === host) throw new SfuError('bad_request', 'The host cannot be removed; leave the call instead.');
    // Invitation first: the removed device must not rejoin in the moment between.
    await this.options.storage.setCallLinkRemoval(callId, target.userId, true);
    await this.options.calls.setInvited(callId, target.userId, false);
    await this.options.calls.remove(callId, index);
    this.options.log.info({ callId, index }, 'removed from a call link\'s call');
  }

  async invite(device: DeviceAddress, callId: string, invitees: readonly string[]): Promise<void> {
    const link = await this.options.storage.callLinkOfCall(callId);
    if (link && link.creator !== device.userId) {
      throw new SfuError('not_link_admin', 'People join a call link\'s call through its link; only the link\'s creator may invite them.');
    }
    await this.options.calls.invite(device, callId, invitees);
    // The creator inviting someone is the creator's word, as an admission is: it lifts a removal.
    if (link) for (const userId of invitees) await this.options.storage.setCallLinkRemoval(callId, userId, false);
  }

  async authorizeJoin(device: DeviceAddress, callId: string): Promise<void> {
    if (await this.options.storage.callLinkRemoved(callId, device.userId)) {
      throw new SfuError('not_invited', 'You were removed from this call; ask through its link to come back.');
    }
  }

  async joined(device: DeviceAddress, callId: string): Promise<void> {
    const pending = [...this.waiting.values()].filter((request) => request.callId === callId);
    if (pending.length === 0) return;
    const link = await this.options.storage.callLinkOfCall(callId);
    if (link?.creator !== device.userId) return;
    for (const request of pending) this.send(device, callId, joinRequest(request));
  }

  async profileOf(device: DeviceAddress, callId: string): Promise<ParticipantProfile> {
    const [account, link] = await Promise.all([this.options.storage.accountById(device.userId), this.options.storage.callLinkOfCall(callId)]);
    return {
      ...(link && link.creator !== device.userId ? { viaLink: true } : {}),
      ...(account?.guest ? { guest: true } : {}),
      ...(account ? { displayName: account.displayName } : {}),
    };
  }

  async isGuest(userId: string): Promise<boolean> {
    return (await this.options.storage.accountById(userId))?.guest ?? false;
  }

  /** Requests waiting right now (tests). */
  waitingCount(): number {
    return this.waiting.size;
  }

  private async open(roomId: string, verifier: string): Promise<CallLinkRecord> {
    try {
      return await this.options.directory.open(roomId, verifier);
    } catch (error) {
      if (error instanceof CallLinkError) throw new SfuError(error.code === 'link_exists' ? 'bad_request' : error.code, error.message);
      throw error;
    }
  }

  /** The link of a call, if `device` is its creator: `not_link_admin` otherwise. */
  private async administered(device: DeviceAddress, callId: string): Promise<CallLinkRecord> {
    const link = await this.options.storage.callLinkOfCall(callId);
    if (!link) {
      if (!(await this.options.storage.groupCall(callId))) throw new SfuError('call_not_found', 'No running call has this id.');
      throw new SfuError('not_link_admin', 'This call has no call link: nobody admits or removes people in it.');
    }
    if (link.creator !== device.userId) throw new SfuError('not_link_admin', 'Only the creator of the call link may do that.');
    return link;
  }

  /** The user id of the call's host when `device` is theirs: a link's creator, or a plain group call's creator. */
  private async hostOrRefuse(device: DeviceAddress, callId: string): Promise<string> {
    if (await this.options.storage.callLinkOfCall(callId)) return (await this.administered(device, callId)).creator;
    const host = await this.options.calls.hostOf(callId);
    if (host !== device.userId) throw new SfuError('not_host', 'Only the host of the call may remove people.');
    return host;
  }

  /** The link's running call, started when there is none (one start at a time per link). */
  private callOf(link: CallLinkRecord, device: DeviceAddress): Promise<string> {
    let starting = this.starting.get(link.roomId);
    if (!starting) {
      starting = (async () => {
        const current = (await this.options.storage.callLink(link.roomId)) ?? link;
        if (current.callId && (await this.options.storage.groupCall(current.callId))) return current.callId;
        const { callId } = await this.options.calls.create({ userId: link.creator, deviceId: device.deviceId }, [], { viaLink: true });
        await this.options.directory.used(link.roomId, { callId });
        this.options.log.info({ roomId: link.roomId, callId }, 'call link call started');
        return callId;
      })().finally(() => this.starting.delete(link.roomId));
      this.starting.set(link.roomId, starting);
    }
    return starting;
  }

  private async ask(link: CallLinkRecord, callId: string, device: DeviceAddress): Promise<LinkJoin> {
    const earlier = [...this.waiting.values()].find((r) => r.callId === callId && r.device.userId === device.userId && r.device.deviceId === device.deviceId);
    if (earlier) return { kind: 'waiting', callId, requestId: earlier.requestId };
    if ([...this.waiting.values()].filter((r) => r.callId === callId).length >= MAX_WAITING_PER_CALL) {
      throw new SfuError('call_full', 'Too many people are waiting to be admitted to this call.');
    }
    const account = await this.options.storage.accountById(device.userId);
    const request: WaitingRequest = {
      requestId: newRandomId(),
      callId,
      device: { userId: device.userId, deviceId: device.deviceId },
      displayName: account?.displayName ?? device.userId,
      guest: account?.guest ?? false,
    };
    this.waiting.set(request.requestId, request);
    this.options.log.info({ callId }, 'call link join request waiting for approval');
    for (const participant of await this.options.calls.participants(callId)) {
      if (participant.userId === link.creator) this.send(participant, callId, joinRequest(request));
    }
    return { kind: 'waiting', callId, requestId: request.requestId };
  }

  /** Lets in everyone waiting for a call, except those removed from it. */
  private async admitAll(callId: string): Promise<void> {
    for (const [requestId, request] of [...this.waiting]) {
      if (request.callId !== callId || (await this.options.storage.callLinkRemoved(callId, request.device.userId))) continue;
      if (!this.waiting.delete(requestId)) continue;
      await this.options.calls.setInvited(callId, request.device.userId, true);
      this.send(request.device, callId, { kind: 'link-admission', requestId, admitted: true });
    }
  }

  private callEnded(callId: string): void {
    for (const [requestId, request] of this.waiting) {
      if (request.callId !== callId) continue;
      this.waiting.delete(requestId);
      this.send(request.device, callId, { kind: 'link-admission', requestId, admitted: false });
    }
  }

  private send(device: DeviceAddress, callId: string, event: SfuEvent): void {
    this.options.notify({ userId: device.userId, deviceId: device.deviceId }, { t: 'sfu-event', callId, event });
  }
}

function joinRequest(request: WaitingRequest): SfuEvent {
  return { kind: 'join-request', requestId: request.requestId, userId: request.device.userId, displayName: request.displayName, guest: request.guest };
}
