/**
 * Who is in a group call, as the SFU says: the participants by index (this device included), who
 * is talking, and, for a call link's creator, who waits to be admitted. Changed by the call on the
 * SFU's answers and events; read by the other parts (keys go to the user holding an index,
 * presence comes from a participant's device).
 */
import type { Behavior, ObservableScope } from '@parley/event-bus/scope';
import type { SfuParticipant } from '@parley/contracts';
import { BehaviorSubject } from 'rxjs';
import type { KeyOrigin } from './group-call-ports.js';

/** Someone who opened the link and waits for the link's creator to let them in. */
export interface JoinRequest {
  readonly requestId: string;
  readonly userId: string;
  readonly displayName: string;
  readonly guest: boolean;
}

/** The membership at one moment; every change is a new object. */
export interface GroupRoster {
  readonly participants: ReadonlyMap<number, SfuParticipant>;
  readonly talking: ReadonlySet<number>;
  readonly joinRequests: readonly JoinRequest[];
}

const EMPTY_ROSTER: GroupRoster = { participants: new Map(), talking: new Set(), joinRequests: [] };

/** The call's membership, held in the call's scope. */
export class GroupMembership {
  private readonly state = new BehaviorSubject<GroupRoster>(EMPTY_ROSTER);
  /** The roster, readable at once. */
  readonly roster$: Behavior<GroupRoster>;

  constructor(scope: ObservableScope) {
    this.roster$ = scope.behavior(this.state, EMPTY_ROSTER);
  }

  private get roster(): GroupRoster {
    return this.state.getValue();
  }

  participant(index: number): SfuParticipant | undefined {
    return this.roster.participants.get(index);
  }

  /** The participant a device holds, if it is in the call. */
  holderOf(device: KeyOrigin): SfuParticipant | undefined {
    return [...this.roster.participants.values()].find((p) => p.userId === device.userId && p.deviceId === device.deviceId);
  }

  /** Everyone but the participant at `selfIndex`. */
  others(selfIndex: number | undefined): SfuParticipant[] {
    return [...this.roster.participants.values()].filter((p) => p.index !== selfIndex);
  }

  /** A join's answer: these participants and nobody else, nobody talking yet. */
  reset(participants: readonly SfuParticipant[]): void {
    this.state.next({ ...this.roster, participants: new Map(participants.map((p) => [p.index, p])), talking: new Set() });
  }

  /** Someone the SFU announced (joined or started publishing); true when they were not known. */
  meet(participant: SfuParticipant): boolean {
    const known = this.roster.participants.has(participant.index);
    this.state.next({ ...this.roster, participants: new Map(this.roster.participants).set(participant.index, participant) });
    return !known;
  }

  /** Someone left; false when they were not known. */
  leave(index: number): boolean {
    if (!this.roster.participants.has(index)) return false;
    const participants = new Map(this.roster.participants);
    participants.delete(index);
    const talking = new Set(this.roster.talking);
    talking.delete(index);
    this.state.next({ ...this.roster, participants, talking });
    return true;
  }

  setTalking(index: number, talking: boolean): void {
    const next = new Set(this.roster.talking);
    if (talking) next.add(index);
    else next.delete(index);
    this.state.next({ ...this.roster, talking: next });
  }

  /** Someone asks to be admitted (a repeated request replaces the earlier one). */
  requestJoin(request: JoinRequest): void {
    this.state.next({ ...this.roster, joinRequests: [...this.withoutRequest(request.requestId), request] });
  }

  /** The creator answered a request. */
  answerJoin(requestId: string): void {
    this.state.next({ ...this.roster, joinRequests: this.withoutRequest(requestId) });
  }

  private withoutRequest(requestId: string): JoinRequest[] {
    return this.roster.joinRequests.filter((r) => r.requestId !== requestId);
  }
}
