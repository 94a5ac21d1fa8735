import type {
  AttachmentTransferApi,
  CallHistoryApi,
  ContactNotice,
  ConversationSummary,
  GroupStore,
  HistoryMessage,
  HistoryStore,
  MessageActionApi,
  Messenger,
  ScheduledCallApi,
} from '@parley/messenger';
import { listConversations, visibleMessages } from '@parley/messenger/page';
import { type Observable, ReplaySubject, defer, firstValueFrom, from, merge, of, switchMap, takeUntil, tap } from 'rxjs';

/** The real messenger's optional methods that the stand-in always offers. */
type OptionalMethod = 'createGroup' | 'addMembers' | 'removeMember' | 'sendGroupText' | 'attachments' | 'scheduledCalls' | 'callHistory' | 'messageActions';

/** The stores the list is read from before the messenger is there. */
export interface EarlyStores {
  readonly history: Pick<HistoryStore, 'listMessages' | 'listContacts' | 'listNotices'>;
  readonly groups: Pick<GroupStore, 'listGroups'>;
}

/**
 * The chat's messenger from the moment this device's stores are open (issue 20): a returning user's
 * conversations, messages and notices are read from IndexedDB while the protocol (Signal, zod, the
 * messenger, the relay client: ~90 kB on the wire) still downloads; everything else waits for the real
 * messenger, which {@link handOver} gives it, and from then on every call and list is the real one's.
 * What the user does meanwhile is not lost: a text sent, a reaction, a search simply resolves once the
 * real messenger has done it. The object stays the same for the page's life, so the chat never remounts.
 */
export class EarlyMessenger implements Messenger {
  private readonly real$ = new ReplaySubject<Messenger>(1);
  private real: Messenger | null = null;
  private readonly ready: Promise<Messenger> = firstValueFrom(this.real$);
  private listDelivered = () => {};
  /** Resolves once the list read from the stores reached whoever shows it (the chat). */
  readonly firstListDelivered = new Promise<void>((resolve) => (this.listDelivered = resolve));

  constructor(
    readonly self: Messenger['self'],
    private readonly stores: EarlyStores,
  ) {}

  /** The real messenger is open: every list switches to it and everything waiting goes to it. */
  handOver(real: Messenger): void {
    if (this.real) return;
    this.real = real;
    this.real$.next(real);
    this.real$.complete();
  }

  /** The stores' value until the real messenger is there, then the real stream. */
  private live<T>(early: () => Promise<T>, real: (messenger: Messenger) => Observable<T>): Observable<T> {
    return defer(() => {
      if (this.real) return real(this.real);
      return merge(from(early()).pipe(takeUntil(this.real$)), this.real$.pipe(switchMap(real)));
    });
  }

  /** Nothing until the real messenger is there, then its stream (for what only it knows: typing). */
  private later<T>(real: (messenger: Messenger) => Observable<T>): Observable<T> {
    return this.real$.pipe(switchMap(real));
  }

  /**
   * One of the real messenger's optional methods, bound. The shell's own messenger has them all (the
   * stand-in is built with it, in the same release): an error rather than a silent no-op if that changed.
   */
  private member<K extends OptionalMethod>(real: Messenger, name: K): NonNullable<Messenger[K]> {
    const method = real[name];
    if (method === undefined) throw new Error(`the messenger has no ${name}`);
    return method.bind(real) as NonNullable<Messenger[K]>;
  }

  private async use<T>(act: (messenger: Messenger) => T | Promise<T>): Promise<T> {
    return act(this.real ?? (await this.ready));
  }

  readonly conversations$: Observable<readonly ConversationSummary[]> = this.live(
    () => listConversations(this.stores.history, this.stores.groups, this.self.userId),
    (real) => real.conversations$,
  ).pipe(tap(() => this.listDelivered()));

  readonly notices$: Observable<readonly ContactNotice[]> = this.live(
    () => this.stores.history.listNotices(),
    (real) => real.notices$,
  );

  history$(conversationId: string): Observable<readonly HistoryMessage[]> {
    return this.live(
      () => visibleMessages(this.stores.history, conversationId),
      (real) => real.history$(conversationId),
    );
  }

  typing$(conversationId: string): Observable<readonly string[]> {
    return this.later((real) => real.typing$?.(conversationId) ?? of([]));
  }

  findUser(handle: string) {
    return this.use((real) => real.findUser(handle));
  }

  sendText(...args: Parameters<Messenger['sendText']>) {
    return this.use((real) => real.sendText(...args));
  }

  markRead(conversationId: string, messageIds: readonly string[]) {
    return this.use((real) => real.markRead(conversationId, messageIds));
  }

  safetyNumber(userId: string) {
    return this.use((real) => real.safetyNumber(userId));
  }

  acceptIdentity(userId: string) {
    return this.use((real) => real.acceptIdentity(userId));
  }

  sendContent(...args: Parameters<Messenger['sendContent']>) {
    return this.use((real) => real.sendContent(...args));
  }

  createGroup(name: string, handles: readonly string[]) {
    return this.use((real) => this.member(real, 'createGroup')(name, handles));
  }

  addMembers(groupId: string, handles: readonly string[]) {
    return this.use((real) => this.member(real, 'addMembers')(groupId, handles));
  }

  removeMember(groupId: string, userId: string) {
    return this.use((real) => this.member(real, 'removeMember')(groupId, userId));
  }

  sendGroupText(groupId: string, body: string) {
    return this.use((real) => this.member(real, 'sendGroupText')(groupId, body));
  }

  callEntries() {
    return this.use((real) => real.callEntries?.() ?? []);
  }

  typingChanged(conversationId: string, draft: string): void {
    // In order: every change waits for the same hand-over.
    void this.use((real) => real.typingChanged?.(conversationId, draft));
  }

  searchMessages(query: string, limit?: number) {
    return this.use((real) => real.searchMessages?.(query, limit) ?? []);
  }

  keepCallEntry(...args: Parameters<NonNullable<Messenger['keepCallEntry']>>) {
    return this.use((real) => real.keepCallEntry?.(...args));
  }

  private readonly attachmentTransfer: AttachmentTransferApi = {
    upload: (...args) => this.use((real) => this.member(real, 'attachments')().upload(...args)),
    download: (...args) => this.use((real) => this.member(real, 'attachments')().download(...args)),
  };

  attachments(): AttachmentTransferApi {
    return this.attachmentTransfer;
  }

  private readonly scheduled: ScheduledCallApi = {
    all$: this.later((real) => this.member(real, 'scheduledCalls')().all$),
    schedule: (...args) => this.use((real) => this.member(real, 'scheduledCalls')().schedule(...args)),
    edit: (...args) => this.use((real) => this.member(real, 'scheduledCalls')().edit(...args)),
    cancel: (...args) => this.use((real) => this.member(real, 'scheduledCalls')().cancel(...args)),
  };

  scheduledCalls(): ScheduledCallApi {
    return this.scheduled;
  }

  private readonly calls: CallHistoryApi = {
    entries$: this.later((real) => this.member(real, 'callHistory')().entries$),
    seenUpTo$: this.later((real) => this.member(real, 'callHistory')().seenUpTo$),
    keep: (...args) => this.use((real) => this.member(real, 'callHistory')().keep(...args)),
    markSeen: (...args) => this.use((real) => this.member(real, 'callHistory')().markSeen(...args)),
  };

  callHistory(): CallHistoryApi {
    return this.calls;
  }

  private readonly actions: MessageActionApi = {
    reply: (...args) => this.use((real) => this.member(real, 'messageActions')().reply(...args)),
    react: (...args) => this.use((real) => this.member(real, 'messageActions')().react(...args)),
    edit: (...args) => this.use((real) => this.member(real, 'messageActions')().edit(...args)),
    deleteForEveryone: (...args) => this.use((real) => this.member(real, 'messageActions')().deleteForEveryone(...args)),
    deleteForMe: (...args) => this.use((real) => this.member(real, 'messageActions')().deleteForMe(...args)),
    // Asked while a menu renders: until the hand-over (well under a second) it is not offered yet.
    canDeleteForEveryone: (message) => (this.real ? this.member(this.real, 'messageActions')().canDeleteForEveryone(message) : false),
  };

  messageActions(): MessageActionApi {
    return this.actions;
  }
}
