import { type CallEntry, deleteForEveryoneOpen, type MessageRef, quoteExcerpt } from '@parley/contracts';
import type {
  CallHistoryApi,
  ContactNotice,
  ConversationSummary,
  GroupInfo,
  HistoryMessage,
  MessageActionApi,
  Messenger,
  MessengerFailure,
  ScheduledCall,
  ScheduledCallApi,
  ScheduledCallDraft,
} from '@parley/messenger';
import { BehaviorSubject, type Observable, map } from 'rxjs';

type Peer = ConversationSummary['peer'];

/**
 * A Messenger for the chat's tests: keeps everything in memory, records what the chat asked for,
 * and lets a test play the other side (`receive`, `deliver`, `notice`).
 */
export class FakeMessenger implements Messenger {
  readonly self = { userId: 'me', deviceId: 1, handle: 'me', displayName: 'Me' };
  readonly sent: { conversationId: string; body: string }[] = [];
  readonly markedRead: string[] = [];
  readonly accepted: string[] = [];
  private readonly users = new Map<string, Peer>();
  private readonly messages = new BehaviorSubject<readonly HistoryMessage[]>([]);
  private readonly summaries = new BehaviorSubject<readonly ConversationSummary[]>([]);
  private readonly noticeList = new BehaviorSubject<readonly ContactNotice[]>([]);
  private clock = 1_700_000_000_000;
  /** Groups by id (group chats). */
  readonly groups = new Map<string, GroupInfo>();
  readonly groupActions: string[] = [];

  readonly conversations$: Observable<readonly ConversationSummary[]> = this.summaries;
  readonly notices$: Observable<readonly ContactNotice[]> = this.noticeList;

  /** Someone the chat can find by handle. */
  addUser(peer: Peer): void {
    this.users.set(peer.handle, peer);
  }

  async findUser(handle: string): Promise<ConversationSummary> {
    const peer = this.users.get(handle);
    if (!peer) throw Object.assign(new Error('nobody'), { code: 'user-not-found' });
    return this.summary(peer.userId) ?? { conversationId: peer.userId, peer, lastMessage: null, unread: 0 };
  }

  history$(conversationId: string): Observable<readonly HistoryMessage[]> {
    return this.messages.pipe(map((all) => all.filter((m) => m.conversationId === conversationId)));
  }

  /** Makes the next `sendText` fail like the messenger does (the message is then `failed`). */
  failNextSend: MessengerFailure | null = null;

  async sendText(conversationId: string, body: string): Promise<HistoryMessage> {
    this.sent.push({ conversationId, body });
    const failure = this.failNextSend;
    this.failNextSend = null;
    const message: HistoryMessage = {
      messageId: `out-${this.sent.length}`,
      conversationId,
      direction: 'out',
      from: { userId: 'me', deviceId: 1 },
      body,
      sentAt: ++this.clock,
      storedAt: this.clock,
      delivery: failure ? 'failed' : 'sent',
    };
    this.put(message);
    if (failure) throw Object.assign(new Error(failure.message), failure);
    return message;
  }

  /** The peer's message arrives. */
  receive(fromUserId: string, body: string, messageId = `in-${++this.clock}`): void {
    this.put({ messageId, conversationId: fromUserId, direction: 'in', from: { userId: fromUserId, deviceId: 1 }, body, sentAt: ++this.clock, storedAt: this.clock, read: false });
  }

  /** A receipt for an outgoing message arrives. */
  deliver(messageId: string, delivery: 'delivered' | 'read'): void {
    this.messages.next(this.messages.value.map((m) => (m.messageId === messageId ? { ...m, delivery } : m)));
    this.refresh();
  }

  notice(notice: ContactNotice): void {
    this.noticeList.next([...this.noticeList.value, notice]);
  }

  async markRead(_conversationId: string, messageIds: readonly string[]): Promise<void> {
    this.markedRead.push(...messageIds);
    this.messages.next(this.messages.value.map((m) => (messageIds.includes(m.messageId) ? { ...m, read: true } : m)));
    this.refresh();
  }

  async safetyNumber(userId: string): Promise<string> {
    return `${userId.length}`.padStart(5, '1').repeat(12);
  }

  async acceptIdentity(userId: string): Promise<void> {
    this.accepted.push(userId);
    this.noticeList.next(this.noticeList.value.filter((n) => !(n.kind === 'identity-changed' && n.userId === userId)));
  }

  async sendContent(): Promise<void> {}

  async createGroup(name: string, handles: readonly string[]): Promise<ConversationSummary> {
    const members = handles.map((handle) => {
      const peer = this.users.get(handle);
      if (!peer) throw Object.assign(new Error('nobody'), { code: 'user-not-found' });
      return peer;
    });
    const groupId = `g.${this.groups.size + 1}`;
    this.groups.set(groupId, { groupId, name, members: [this.self, ...members], active: true });
    this.groupActions.push(`create ${name}: ${handles.join(' ')}`);
    this.refresh();
    return this.summary(groupId)!;
  }

  async addMembers(groupId: string, handles: readonly string[]): Promise<void> {
    const group = this.groups.get(groupId)!;
    const added = handles.map((handle) => this.users.get(handle)!);
    this.groups.set(groupId, { ...group, members: [...group.members, ...added] });
    this.groupActions.push(`add ${handles.join(' ')}`);
    this.refresh();
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    const group = this.groups.get(groupId)!;
    this.groups.set(groupId, { ...group, members: group.members.filter((m) => m.userId !== userId) });
    this.groupActions.push(`remove ${userId}`);
    this.refresh();
  }

  async sendGroupText(groupId: string, body: string): Promise<HistoryMessage> {
    return this.sendText(groupId, body);
  }

  /** Scheduled calls, kept in memory; a test plays the organizer with `schedules.receive`. */
  readonly schedules = new FakeScheduledCalls(this.self);

  scheduledCalls(): ScheduledCallApi {
    return this.schedules;
  }

  /** This fake device's call history (kept across reloads, as the messenger's); a test plays the other devices with it. */
  readonly calls = new FakeCallHistory();

  /** The calls kept in this fake device's history. */
  get keptCalls(): readonly CallEntry[] {
    return this.calls.kept;
  }

  callHistory(): CallHistoryApi {
    return this.calls;
  }

  /** A group member's message arrives. */
  receiveInGroup(groupId: string, fromUserId: string, body: string): void {
    this.put({ messageId: `in-${++this.clock}`, conversationId: groupId, direction: 'in', from: { userId: fromUserId, deviceId: 1 }, body, sentAt: ++this.clock, storedAt: this.clock, read: false });
  }

  /** What the chat asked of message actions, in order (`reply <body> to <id>`, `react <id> <emoji>`, …). */
  readonly messageActionLog: string[] = [];

  /** Replies, reactions, edits and deletions, applied to the fake history as the messenger would. */
  messageActions(): MessageActionApi {
    return {
      reply: async (conversationId, body, to) => {
        this.messageActionLog.push(`reply ${body} to ${to.messageId}`);
        const sent = await this.sendText(conversationId, body);
        const quote = { authorUserId: to.from.userId, messageId: to.messageId, excerpt: quoteExcerpt(to.body) };
        this.change(this.self.userId, sent.messageId, (m) => ({ ...m, quote }));
        return { ...sent, quote };
      },
      react: async (_conversationId, target, emoji) => {
        this.messageActionLog.push(`react ${target.messageId} ${emoji}`);
        this.reactAs(this.self.userId, target, emoji);
      },
      edit: async (_conversationId, messageId, body) => {
        this.messageActionLog.push(`edit ${messageId} ${body}`);
        this.change(this.self.userId, messageId, (m) => ({ ...m, body, editedAt: ++this.clock }));
      },
      deleteForEveryone: async (_conversationId, messageId) => {
        this.messageActionLog.push(`delete for everyone ${messageId}`);
        this.change(this.self.userId, messageId, ({ quote: _q, reactions: _r, ...m }) => ({ ...m, body: '', deletedAt: ++this.clock }));
      },
      deleteForMe: async (_conversationId, target) => {
        this.messageActionLog.push(`delete for me ${target.messageId}`);
        this.messages.next(this.messages.value.filter((m) => !(m.from.userId === target.authorUserId && m.messageId === target.messageId)));
        this.refresh();
      },
      canDeleteForEveryone: (message) => {
        return message.from.userId === this.self.userId && message.deletedAt === undefined && deleteForEveryoneOpen(message.sentAt, this.clock);
      },
    };
  }

  /** Someone's reaction arrives (an empty emoji takes it back). */
  reactAs(userId: string, target: MessageRef, emoji: string): void {
    this.change(target.authorUserId, target.messageId, (m) => {
      const { [userId]: _old, ...others } = m.reactions ?? {};
      return { ...m, reactions: emoji === '' ? others : { ...others, [userId]: { emoji, at: ++this.clock } } };
    });
  }

  /** Time passes on the fake's clock. */
  advance(ms: number): void {
    this.clock += ms;
  }

  private change(authorUserId: string, messageId: string, edit: (message: HistoryMessage) => HistoryMessage): void {
    this.messages.next(this.messages.value.map((m) => (m.from.userId === authorUserId && m.messageId === messageId ? edit(m) : m)));
    this.refresh();
  }

  protected put(message: HistoryMessage): void {
    this.messages.next([...this.messages.value, message]);
    this.refresh();
  }

  private summary(conversationId: string): ConversationSummary | undefined {
    return this.summaries.value.find((s) => s.conversationId === conversationId);
  }

  private refresh(): void {
    const ids = [...new Set([...this.groups.keys(), ...this.messages.value.map((m) => m.conversationId)])];
    const summaries = ids.map((conversationId): ConversationSummary => {
      const history = this.messages.value.filter((m) => m.conversationId === conversationId);
      const group = this.groups.get(conversationId);
      if (group) {
        const peer = { userId: group.groupId, handle: '', displayName: group.name };
        return { conversationId, peer, lastMessage: history.at(-1) ?? null, unread: history.filter((m) => m.direction === 'in' && !m.read).length, kind: 'group', group };
      }
      const peer = [...this.users.values()].find((p) => p.userId === conversationId) ?? { userId: conversationId, handle: conversationId, displayName: conversationId };
      return { conversationId, peer, lastMessage: history.at(-1) ?? null, unread: history.filter((m) => m.direction === 'in' && !m.read).length };
    });
    summaries.sort((a, b) => (b.lastMessage?.sentAt ?? 0) - (a.lastMessage?.sentAt ?? 0));
    this.summaries.next(summaries);
  }
}

/** Scheduled calls for the chat's tests: what the chat asked for, and calls arriving from others. */
export class FakeScheduledCalls implements ScheduledCallApi {
  readonly actions: string[] = [];
  /** Make the next `schedule`, `edit` or `cancel` fail (the organizer's network is down). */
  failNext = false;
  private readonly calls = new BehaviorSubject<readonly ScheduledCall[]>([]);
  readonly all$: Observable<readonly ScheduledCall[]> = this.calls;
  private count = 0;

  constructor(private readonly self: { userId: string; displayName: string }) {}

  async schedule(conversationId: string, draft: ScheduledCallDraft): Promise<ScheduledCall> {
    this.check();
    const call: ScheduledCall = {
      scheduleId: `s-${++this.count}`,
      conversationId,
      ...draft,
      linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA',
      organizer: { userId: this.self.userId, displayName: this.self.displayName },
      status: 'scheduled',
      revision: 1,
      updatedAt: 1,
    };
    this.actions.push(`schedule ${conversationId}: ${draft.title}`);
    this.receive(call);
    return call;
  }

  async edit(scheduleId: string, draft: ScheduledCallDraft): Promise<ScheduledCall> {
    this.check();
    const known = this.calls.value.find((c) => c.scheduleId === scheduleId)!;
    const next = { ...known, ...draft, revision: known.revision + 1 };
    this.actions.push(`edit ${scheduleId}: ${draft.title}`);
    this.receive(next);
    return next;
  }

  async cancel(scheduleId: string): Promise<ScheduledCall> {
    this.check();
    const known = this.calls.value.find((c) => c.scheduleId === scheduleId)!;
    const next: ScheduledCall = { ...known, status: 'cancelled', revision: known.revision + 1 };
    this.actions.push(`cancel ${scheduleId}`);
    this.receive(next);
    return next;
  }

  /** A call (or its new revision) arrives: it replaces the one with its id. */
  receive(call: ScheduledCall): void {
    this.calls.next([...this.calls.value.filter((c) => c.scheduleId !== call.scheduleId), call].sort((a, b) => a.startsAt - b.startsAt));
  }

  private check(): void {
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error('offline'), { code: 'network' });
    }
  }
}

/** A call history for the chat's tests: what the chat kept and marked seen, and calls other devices report. */
export class FakeCallHistory implements CallHistoryApi {
  private readonly list = new BehaviorSubject<readonly CallEntry[]>([]);
  private readonly seen = new BehaviorSubject<number>(0);
  readonly entries$: Observable<readonly CallEntry[]> = this.list;
  readonly seenUpTo$: Observable<number> = this.seen;

  get kept(): readonly CallEntry[] {
    return this.list.value;
  }

  get seenUpTo(): number {
    return this.seen.value;
  }

  async keep(entry: CallEntry): Promise<void> {
    if (!this.list.value.some((kept) => kept.callId === entry.callId)) this.receive(entry);
  }

  async markSeen(at: number): Promise<void> {
    if (at > this.seen.value) this.seen.next(at);
  }

  /** Another device of this user reports a call: it replaces the one with its id. */
  receive(entry: CallEntry): void {
    this.list.next([...this.list.value.filter((kept) => kept.callId !== entry.callId), entry].sort((a, b) => a.startedAt - b.startedAt));
  }
}
