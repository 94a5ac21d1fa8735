/**
 * One join of a group call: this device's media with the SFU — publishing its own tracks,
 * subscribing to whoever publishes, answering the SFU's renegotiations and trickling candidates
 * once each connection has its remote description. A rejoin (relay back, SFU restart, failed
 * media) ends this one with its scope and starts another.
 */
import type { IceCandidateInit, SfuStream } from '@parley/contracts';
import type { ObservableScope } from '@parley/event-bus/scope';
import { describeError, type GroupMediaSession, type SfuClient } from './group-call-ports.js';
import type { GroupMediaLayers } from './group-layers.js';
import type { GroupMembership } from './group-membership.js';

type PeerConnection = 'publisher' | 'subscriber';

export interface GroupJoinDeps<M extends GroupMediaSession> {
  readonly media: M;
  /** This device's participant index in this join. */
  readonly selfIndex: number;
  readonly callId: string;
  readonly sfu: SfuClient;
  readonly membership: GroupMembership;
  readonly layers: GroupMediaLayers;
  /** Both media connections are lost: the call must join again. */
  readonly onMediaFailed: () => void;
  readonly warn: (message: string) => void;
}

/** The media of one join; its scope ends when the join is over, and closes the media. */
export class GroupJoin<M extends GroupMediaSession> {
  /** Participants whose tracks this join receives. */
  readonly subscribed = new Set<number>();
  private readonly wantSubscribe = new Set<number>();
  /** Participants received already who published more m-lines since (a shared screen). */
  private readonly wantAgain = new Set<number>();
  private publisherSent = false;
  private subscriberReady = false;
  private pendingCandidates: { pc: PeerConnection; candidate: IceCandidateInit | null }[] = [];

  constructor(
    private readonly scope: ObservableScope,
    private readonly deps: GroupJoinDeps<M>,
  ) {
    scope.bind(deps.media.candidates$, ({ pc, candidate }) => this.trickle(pc, candidate));
    scope.bind(deps.media.failed$, () => deps.onMediaFailed());
    scope.onEnd(() => deps.media.close());
  }

  get media(): M {
    return this.deps.media;
  }

  get selfIndex(): number {
    return this.deps.selfIndex;
  }

  /** Over: no more requests for this join, its media closed. */
  get isOver(): boolean {
    return this.scope.isEnded;
  }

  close(): void {
    this.scope.end();
  }

  /** Sends this device's tracks: the publisher's offer, the SFU's answer. */
  async publish(): Promise<void> {
    try {
      await this.negotiatePublisher();
    } catch (error) {
      this.deps.warn(`publishing failed: ${describeError(error)}`);
    }
  }

  /** Sends what the media added to the publisher (a shared screen); throws when the SFU refuses. */
  async republish(): Promise<void> {
    await this.negotiatePublisher();
  }

  private async negotiatePublisher(): Promise<void> {
    const { media, sfu, callId } = this.deps;
    const offer = await media.createPublishOffer();
    if (this.isOver) return;
    const published = await sfu.request({ op: 'publish', callId, jsep: { type: 'offer', sdp: offer }, sources: [...media.publishedSources()] });
    if (this.isOver) return;
    await media.acceptPublishAnswer(published.jsep.sdp);
    this.publisherSent = true;
    this.flushCandidates('publisher');
  }

  /**
   * These participants publish: subscribe to them on the next `subscribePending`. One received
   * already published again (it added a screen): the SFU adds what it lacks.
   */
  want(indexes: readonly number[]): void {
    for (const index of indexes) {
      if (this.subscribed.has(index)) this.wantAgain.add(index);
      else this.wantSubscribe.add(index);
    }
  }

  /** Subscribes to the participants wanted and not yet subscribed to, and to what those received published since. */
  async subscribePending(): Promise<void> {
    if (this.isOver) return;
    const known = (index: number) => this.deps.membership.participant(index) !== undefined;
    const wanted = [...this.wantSubscribe].filter((index) => known(index) && !this.subscribed.has(index));
    const again = [...this.wantAgain].filter((index) => known(index) && this.subscribed.has(index));
    this.wantSubscribe.clear();
    this.wantAgain.clear();
    if (wanted.length === 0 && again.length === 0) return;
    try {
      const answer = await this.deps.sfu.request({ op: 'subscribe', callId: this.deps.callId, participants: [...wanted, ...again] });
      for (const index of wanted) this.subscribed.add(index);
      // No offer: the SFU had nothing to add.
      if (this.isOver || !answer.jsep) return;
      await this.answerSubscriberOffer(answer.jsep.sdp, answer.streams);
    } catch (error) {
      this.deps.warn(`subscribing failed: ${describeError(error)}`);
    }
  }

  /** Applies a subscriber offer (ours or the SFU renegotiating) and answers it. */
  async answerSubscriberOffer(sdp: string, streams: readonly SfuStream[]): Promise<void> {
    const answerSdp = await this.deps.media.applySubscriberOffer(sdp, streams);
    if (this.isOver) return;
    await this.deps.sfu.request({ op: 'answer', callId: this.deps.callId, jsep: { type: 'answer', sdp: answerSdp } });
    this.subscriberReady = true;
    this.flushCandidates('subscriber');
    if (!this.isOver) this.sendLayers();
  }

  /** Tells the SFU the layers wanted of the participants this join receives. */
  sendLayers(): void {
    this.deps.layers.send(this.deps.callId, this.subscribed);
  }

  /** Someone left: their tracks and keys go. */
  forget(index: number): void {
    this.subscribed.delete(index);
    this.deps.media.forgetPeer(index);
  }

  private trickle(pc: PeerConnection, candidate: IceCandidateInit | null): void {
    const ready = pc === 'publisher' ? this.publisherSent : this.subscriberReady;
    if (!ready) {
      this.pendingCandidates.push({ pc, candidate });
      return;
    }
    this.deps.sfu.request({ op: 'trickle', callId: this.deps.callId, pc, candidate: candidate as never }).catch(() => {});
  }

  private flushCandidates(pc: PeerConnection): void {
    const due = this.pendingCandidates.filter((c) => c.pc === pc);
    this.pendingCandidates = this.pendingCandidates.filter((c) => c.pc !== pc);
    for (const { candidate } of due) this.trickle(pc, candidate);
  }
}
