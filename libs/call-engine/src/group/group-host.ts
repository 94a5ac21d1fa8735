/**
 * Host controls of a group call: the host (the user the server names in the join answer: who
 * started the call, or made its link) asks everyone to mute, lowers all raised hands, locks the
 * call and removes people. Mute, lower-hands and lock notices travel as `group-host` signals over
 * Signal (the server never sees them); every client honours one only when it comes from a device
 * of the host that is in the call, so a participant forging one gains nothing. Nobody is ever
 * unmuted remotely: there is no such request. Locking and removing are also enforced by the
 * server (SFU `lock`, `remove`), which checks the host itself.
 */
import { type GroupHostAction, type GroupSignal, type SfuParticipant, parseGroupSignal } from '@parley/contracts';
import type { Behavior, ObservableScope } from '@parley/event-bus/scope';
import { BehaviorSubject, filter } from 'rxjs';
import { type GroupSignalChannel, type KeyOrigin, type SfuClient, broadcastGroupSignal } from './group-call-ports.js';
import type { GroupMembership } from './group-membership.js';

/** What the host last did that this device was told of (shown to the participant: "Alice muted everyone"). */
export interface HostNotice {
  readonly action: GroupHostAction;
  /** The host's user id (the UI puts a name on it). */
  readonly by: string;
  /** Increases with each notice, so the same action twice is two notices. */
  readonly seq: number;
}

/** The host side of a call at one moment. */
export interface HostState {
  /** The host's user id; null until joined, or when the server names none (an older server). */
  readonly host: string | null;
  readonly locked: boolean;
  readonly notice: HostNotice | null;
}

/** What the host may do: `lower-hands` answers `no-hands` when nobody has a hand raised (nothing is sent). */
export type HostActionResult = 'done' | 'no-hands' | 'not-host';

/**
 * Whether a `group-host` signal counts: it must come from a device that is in the call (the
 * membership names it) and belongs to the host. Anyone else's request is ignored.
 */
export function isFromHost(from: KeyOrigin, host: string | null, membership: Pick<GroupMembership, 'holderOf'>): boolean {
  if (host === null || from.userId !== host) return false;
  return membership.holderOf(from) !== undefined;
}

export interface GroupHostDeps {
  readonly signals: GroupSignalChannel;
  readonly sfu: SfuClient;
  readonly membership: GroupMembership;
  readonly self: KeyOrigin;
  readonly callId: () => string | null;
  readonly selfIndex: () => number | undefined;
  /** Whose hands are raised now (the presence board), to skip lowering when none is. */
  readonly handsRaised: () => readonly number[];
  /** The host asked everyone to mute: mute this device's microphone and tell the others. */
  readonly muteSelf: () => void;
  /** The host lowered all hands: lower this device's. */
  readonly lowerOwnHand: () => void;
  readonly warn: (message: string) => void;
}

/** The host controls of one call; listens for the host's signals while `scope` lasts. */
export class GroupHostControls {
  private readonly state = new BehaviorSubject<HostState>({ host: null, locked: false, notice: null });
  private seq = 0;
  /** Who the host is, whether the call is locked, and the host's last request. */
  readonly state$: Behavior<HostState>;

  constructor(
    scope: ObservableScope,
    private readonly deps: GroupHostDeps,
  ) {
    this.state$ = scope.behavior(this.state, this.state.getValue());
    scope.bind(deps.signals.incoming$.pipe(filter(({ callId }) => callId === deps.callId())), ({ from, signal }) => this.receive(from, signal));
  }

  /** Whether this user is the host. */
  get isHost(): boolean {
    return this.state.getValue().host === this.deps.self.userId;
  }

  /** A join's answer named the host (an older server names none: no host controls then). */
  joined(host: string | undefined): void {
    this.state.next({ ...this.state.getValue(), host: host ?? null });
  }

  /** Asks everyone else to mute. They mute themselves and see who asked; nobody can be unmuted this way. */
  muteAll(): HostActionResult {
    return this.ask('mute-all');
  }

  /** Lowers every raised hand; `no-hands` (nothing sent) when none is raised. */
  lowerHands(): HostActionResult {
    if (!this.isHost) return 'not-host';
    const self = this.deps.selfIndex();
    if (!this.deps.handsRaised().some((index) => index !== self)) return 'no-hands';
    return this.ask('lower-hands');
  }

  /** Locks the call (the server refuses anyone new) or unlocks it, and tells everyone. */
  async lock(locked: boolean): Promise<HostActionResult> {
    const callId = this.deps.callId();
    if (!this.isHost || callId === null) return 'not-host';
    await this.deps.sfu.request({ op: 'lock', callId, locked });
    this.state.next({ ...this.state.getValue(), locked });
    return this.ask(locked ? 'lock' : 'unlock');
  }

  /** Takes someone out of the call (the server checks that this user is the host). */
  async remove(participant: number): Promise<void> {
    const callId = this.deps.callId();
    if (callId === null) return;
    await this.deps.sfu.request({ op: 'remove', callId, participant });
  }

  private ask(action: GroupHostAction): HostActionResult {
    if (!this.isHost) return 'not-host';
    this.broadcast(this.deps.membership.others(this.deps.selfIndex()), { kind: 'group-host', action });
    return 'done';
  }

  private receive(from: KeyOrigin, raw: unknown): void {
    const signal = parseGroupSignal(raw);
    if (signal?.kind !== 'group-host') return;
    const { host } = this.state.getValue();
    if (!isFromHost(from, host, this.deps.membership) || this.isHost) {
      if (from.userId !== this.deps.self.userId) this.deps.warn(`a host request from someone who is not the host was ignored (${signal.action})`);
      return;
    }
    if (signal.action === 'mute-all') this.deps.muteSelf();
    if (signal.action === 'lower-hands') this.deps.lowerOwnHand();
    const locked = signal.action === 'lock' ? true : signal.action === 'unlock' ? false : this.state.getValue().locked;
    this.state.next({ host, locked, notice: { action: signal.action, by: host!, seq: ++this.seq } });
  }

  private broadcast(to: readonly SfuParticipant[], signal: GroupSignal): void {
    broadcastGroupSignal(this.deps.signals, this.deps.callId(), to, signal, this.deps.warn);
  }
}
