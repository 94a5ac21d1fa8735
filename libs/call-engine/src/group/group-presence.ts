/**
 * Presence and reactions in a group call: whether each participant is muted, has the camera on,
 * raised a hand, and the emoji they just sent. They travel as `group-presence` and
 * `group-reaction` call signals over Signal, never via the SFU, and count only from the device
 * that holds the participant index.
 */
import type { Clock } from '@parley/clock';
import { type GroupReaction, type GroupSignal, type SfuParticipant, parseGroupSignal } from '@parley/contracts';
import type { Behavior, ObservableScope } from '@parley/event-bus/scope';
import { scheduleIn } from '../scoped-timer.js';
import { BehaviorSubject, filter } from 'rxjs';
import { type GroupSignalChannel, type KeyOrigin, broadcastGroupSignal } from './group-call-ports.js';
import type { GroupMembership } from './group-membership.js';

/** What each participant shows the others about themselves. */
export interface GroupPresence {
  readonly muted: boolean;
  readonly cameraOn: boolean;
  readonly handRaised: boolean;
  /** Shares a screen (see group-presenter.ts for who counts as the presenter). */
  readonly presenting: boolean;
}

/** What everyone assumes of a participant until told otherwise. */
export const DEFAULT_PRESENCE: GroupPresence = Object.freeze({ muted: false, cameraOn: true, handRaised: false, presenting: false });

/** This device's presence as a signal: `presenting` only when true, as apps that cannot present leave it out. */
function presenceSignal({ muted, cameraOn, handRaised, presenting }: GroupPresence): GroupSignal {
  return { kind: 'group-presence', muted, cameraOn, handRaised, ...(presenting ? { presenting } : {}) };
}

/** How long a reaction shows on its sender's tile. */
export const REACTION_SHOWN_MS = 4_000;

/** Presence and current reactions by participant index; every change is a new object. */
export interface PresenceBoard {
  readonly presence: ReadonlyMap<number, GroupPresence>;
  readonly reactions: ReadonlyMap<number, string>;
}

export interface GroupPresenceDeps {
  readonly signals: GroupSignalChannel;
  readonly membership: GroupMembership;
  readonly clock: Clock;
  /** The call's id, once known (a link's comes with the join). */
  readonly callId: () => string | null;
  /** This device's participant index while joined. */
  readonly selfIndex: () => number | undefined;
  readonly warn: (message: string) => void;
}

/** Presence and reactions of one call; listens for the others' while `scope` lasts. */
export class GroupPresenceAndReactions {
  private readonly state = new BehaviorSubject<PresenceBoard>({ presence: new Map(), reactions: new Map() });
  private readonly reactionTimers = new Map<number, () => void>();
  private local: GroupPresence = DEFAULT_PRESENCE;
  /** Everyone's presence and reactions, readable at once. */
  readonly board$: Behavior<PresenceBoard>;

  constructor(
    private readonly scope: ObservableScope,
    private readonly deps: GroupPresenceDeps,
  ) {
    this.board$ = scope.behavior(this.state, this.state.getValue());
    scope.bind(deps.signals.incoming$.pipe(filter(({ callId }) => callId === deps.callId())), ({ from, signal }) => this.receive(from, signal));
  }

  private get board(): PresenceBoard {
    return this.state.getValue();
  }

  /** Changes this device's presence and tells the others. */
  setLocal(change: Partial<GroupPresence>): void {
    this.local = { ...this.local, ...change };
    const selfIndex = this.deps.selfIndex();
    if (selfIndex !== undefined) this.setPresence(selfIndex, this.local);
    this.broadcast(this.deps.membership.others(selfIndex), presenceSignal(this.local));
  }

  /** This device's presence as it last set it. */
  get own(): GroupPresence {
    return this.local;
  }

  /** Sends an emoji to everyone in the call (nothing before joining). */
  react(emoji: GroupReaction): void {
    const selfIndex = this.deps.selfIndex();
    if (selfIndex === undefined) return;
    this.showReaction(selfIndex, emoji);
    this.broadcast(this.deps.membership.others(selfIndex), { kind: 'group-reaction', emoji });
  }

  /** A new join: what was known of everyone is dropped, this device is as it was. */
  joined(selfIndex: number): void {
    this.state.next({ ...this.board, presence: new Map([[selfIndex, this.local]]) });
  }

  /** Tells people who just met this device how it is, unless it is as everyone assumes. */
  tell(to: readonly SfuParticipant[]): void {
    const { muted, cameraOn, handRaised, presenting } = this.local;
    if (muted || !cameraOn || handRaised || presenting) this.broadcast(to, presenceSignal(this.local));
  }

  /** Someone left: their presence and reaction go. */
  forget(index: number): void {
    this.reactionTimers.get(index)?.();
    this.reactionTimers.delete(index);
    const presence = new Map(this.board.presence);
    presence.delete(index);
    const reactions = new Map(this.board.reactions);
    reactions.delete(index);
    this.state.next({ presence, reactions });
  }

  private receive(from: KeyOrigin, raw: unknown): void {
    const signal = parseGroupSignal(raw);
    const sender = this.deps.membership.holderOf(from);
    if (!signal || !sender || sender.index === this.deps.selfIndex()) return;
    if (signal.kind === 'group-presence') {
      this.setPresence(sender.index, { muted: signal.muted, cameraOn: signal.cameraOn, handRaised: signal.handRaised, presenting: signal.presenting ?? false });
    } else if (signal.kind === 'group-reaction') this.showReaction(sender.index, signal.emoji);
    // `group-host` is the host controls' (group-host.ts).
  }

  private setPresence(index: number, presence: GroupPresence): void {
    this.state.next({ ...this.board, presence: new Map(this.board.presence).set(index, presence) });
  }

  private showReaction(index: number, emoji: string): void {
    this.reactionTimers.get(index)?.();
    this.reactionTimers.set(
      index,
      scheduleIn(this.scope, this.deps.clock, REACTION_SHOWN_MS, () => {
        this.reactionTimers.delete(index);
        const reactions = new Map(this.board.reactions);
        reactions.delete(index);
        this.state.next({ ...this.board, reactions });
      }),
    );
    this.state.next({ ...this.board, reactions: new Map(this.board.reactions).set(index, emoji) });
  }

  private broadcast(to: readonly SfuParticipant[], signal: GroupSignal): void {
    broadcastGroupSignal(this.deps.signals, this.deps.callId(), to, signal, this.deps.warn);
  }
}
