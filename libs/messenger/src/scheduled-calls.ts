import { callLinkRegistration, deriveCallLinkKeys, encryptCallName, newCallLinkSecret } from '@parley/call-links';
import { systemClock, type WallClock } from '@parley/clock';
import { ContentSchema, type ScheduledCallContent } from '@parley/contracts';
import { from, merge, type Observable, of, shareReplay, Subject, switchMap } from 'rxjs';
import { MessengerError, isApiError } from './errors.js';
import { KeyedQueue } from './keyed-queue.js';
import type { CallLinkService } from './call-services.js';
import type { MessengerFailure } from './messenger-api.js';
import type { MessengerSelf } from './signal-sessions.js';
import { byStart, type ScheduledCall, type ScheduledCallDraft, supersedes } from './scheduled-call.js';

/**
 * Where this device keeps scheduled calls (the server never holds them: it knows only their call
 * links). The shell implements it in IndexedDB; writes are durable when their promise resolves.
 */
export interface ScheduledCallStore {
  getScheduledCall(scheduleId: string): Promise<ScheduledCall | undefined>;
  putScheduledCall(call: ScheduledCall): Promise<void>;
  listScheduledCalls(): Promise<readonly ScheduledCall[]>;
}

/** A {@link ScheduledCallStore} in memory: for tests and for a session that keeps nothing. */
export class InMemoryScheduledCallStore implements ScheduledCallStore {
  private readonly calls = new Map<string, ScheduledCall>();

  async getScheduledCall(scheduleId: string): Promise<ScheduledCall | undefined> {
    return this.calls.get(scheduleId);
  }

  async putScheduledCall(call: ScheduledCall): Promise<void> {
    this.calls.set(call.scheduleId, call);
  }

  async listScheduledCalls(): Promise<readonly ScheduledCall[]> {
    return [...this.calls.values()];
  }
}

/** What the chat uses to plan calls ahead (see `Messenger.scheduledCalls`; the session assembly builds it). */
export interface ScheduledCallApi {
  /** Every scheduled call this device knows, in every conversation, soonest first; emits again on any change. */
  readonly all$: Observable<readonly ScheduledCall[]>;
  /**
   * Makes a call link (its secret stays in this browser and in the encrypted content), registers
   * it, keeps the call and sends it to the conversation's members and this account's other devices.
   */
  schedule(conversationId: string, draft: ScheduledCallDraft): Promise<ScheduledCall>;
  /** Organizer only: a new revision with new title, description or times; everyone invited is told. */
  edit(scheduleId: string, draft: ScheduledCallDraft): Promise<ScheduledCall>;
  /** Organizer only: the cancelled revision goes to everyone invited, and the call link is revoked. */
  cancel(scheduleId: string): Promise<ScheduledCall>;
}

/** What {@link ScheduledCalls} needs from the messenger around it. */
export interface ScheduledCallsOptions {
  readonly self: MessengerSelf;
  readonly store: ScheduledCallStore;
  /** Sends content to every device of a user (this account: its other devices) over the pairwise sessions. */
  readonly sendContent: (toUserId: string, content: ScheduledCallContent) => Promise<void>;
  /** A group's member user ids (this user included while a member), or undefined when the id is not a group. */
  readonly groupMembers: (conversationId: string) => Promise<readonly string[] | undefined>;
  /** Where each call's link is registered, renamed and revoked. */
  readonly callLinks: CallLinkService;
  /** Failures nobody awaits (copies to this account's devices, link revocation). */
  readonly onFailure: (failure: MessengerFailure) => void;
  readonly clock?: WallClock;
  readonly newId?: () => string;
  readonly newLinkSecret?: () => string;
}

/**
 * Scheduled calls over the messenger: each is a call link under the hood, and travels as
 * Signal-encrypted `scheduled-call` content from its organizer to the conversation's members
 * (one pairwise send per member, like group state) and to the organizer's other devices. Every
 * device keeps the highest revision it got (see {@link supersedes}); nothing about it is on the
 * server but the link's room id and verifier.
 */
export class ScheduledCalls implements ScheduledCallApi {
  readonly all$: Observable<readonly ScheduledCall[]>;

  private readonly options: ScheduledCallsOptions;
  private readonly clock: WallClock;
  private readonly newId: () => string;
  private readonly newLinkSecret: () => string;
  private readonly changed = new Subject<void>();
  private readonly queue = new KeyedQueue();

  constructor(options: ScheduledCallsOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.newLinkSecret = options.newLinkSecret ?? newCallLinkSecret;
    this.all$ = merge(of(undefined), this.changed).pipe(
      switchMap(() => from(this.list())),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  async schedule(conversationId: string, draft: ScheduledCallDraft): Promise<ScheduledCall> {
    const { self } = this.options;
    const recipients = await this.recipients(conversationId);
    const linkSecret = this.newLinkSecret();
    const call: ScheduledCall = {
      scheduleId: this.newId(),
      conversationId,
      ...cleanDraft(draft),
      linkSecret,
      organizer: { userId: self.userId, displayName: self.displayName },
      status: 'scheduled',
      revision: 1,
      updatedAt: this.clock.now(),
    };
    const content = checked(call);
    const keys = await deriveCallLinkKeys(linkSecret);
    // The link first: a schedule whose link the server refused would invite people to nothing.
    await this.apiCall(async () =>
      this.options.callLinks.create({ ...(await callLinkRegistration(keys, call.title)), approval: false }),
    );
    await this.options.store.putScheduledCall(call);
    this.changed.next();
    await this.tell(recipients, content);
    return call;
  }

  async edit(scheduleId: string, draft: ScheduledCallDraft): Promise<ScheduledCall> {
    const { call, titleChanged } = await this.revise(scheduleId, (known) => ({ ...known, ...cleanDraft(draft) }));
    if (titleChanged) {
      // The link's encrypted name follows the title; the schedule itself is already told.
      this.background(
        (async () => {
          const keys = await deriveCallLinkKeys(call.linkSecret);
          await this.options.callLinks.update(keys.roomId, { encryptedName: await encryptCallName(keys, call.title) });
        })(),
      );
    }
    return call;
  }

  async cancel(scheduleId: string): Promise<ScheduledCall> {
    const { call } = await this.revise(scheduleId, (known) => ({ ...known, status: 'cancelled' }));
    this.background(
      (async () => {
        const keys = await deriveCallLinkKeys(call.linkSecret);
        try {
          await this.options.callLinks.revoke(keys.roomId);
        } catch (error) {
          // Already gone is what cancelling wants.
          if (isApiError(error, 'link_revoked') || isApiError(error, 'link_expired') || isApiError(error, 'link_not_found')) return;
          throw error;
        }
      })(),
    );
    return call;
  }

  /**
   * Keeps a `scheduled-call` content delivered from `from` when it is news: from its organizer,
   * about a conversation the sender and this user share, and a higher revision than the one kept.
   * Returns the call as kept, or null when it was dropped (a duplicate, stale or not believable).
   */
  async receive(from: { readonly userId: string }, content: ScheduledCallContent): Promise<ScheduledCall | null> {
    const { self } = this.options;
    if (content.organizer.userId !== from.userId) return null;
    let conversationId: string;
    if (from.userId === self.userId) {
      // A copy from another device of this account: its conversation id is ours already.
      conversationId = content.conversationId;
    } else if (content.conversationId === self.userId) {
      conversationId = from.userId;
    } else {
      const members = await this.options.groupMembers(content.conversationId);
      if (members === undefined || !members.includes(from.userId) || !members.includes(self.userId)) return null;
      conversationId = content.conversationId;
    }
    const { type: _type, ...rest } = content;
    const call: ScheduledCall = { ...rest, conversationId };
    const kept = await this.queue.run(call.scheduleId, async () => {
      if (!supersedes(call, await this.options.store.getScheduledCall(call.scheduleId))) return false;
      await this.options.store.putScheduledCall(call);
      return true;
    });
    if (!kept) return null;
    this.changed.next();
    return call;
  }

  /** Ends the stream (on sign-out). */
  close(): void {
    this.changed.complete();
  }

  private async list(): Promise<readonly ScheduledCall[]> {
    return [...(await this.options.store.listScheduledCalls())].sort(byStart(this.clock.now()));
  }

  /** Writes the organizer's next revision and tells everyone invited. */
  private async revise(scheduleId: string, change: (known: ScheduledCall) => ScheduledCall): Promise<{ call: ScheduledCall; titleChanged: boolean }> {
    const { self } = this.options;
    const { call, titleChanged } = await this.queue.run(scheduleId, async () => {
      const known = await this.options.store.getScheduledCall(scheduleId);
      if (known === undefined) throw new MessengerError('invalid', 'no scheduled call with this id');
      if (known.organizer.userId !== self.userId) throw new MessengerError('invalid', 'only the organizer changes a scheduled call');
      if (known.status === 'cancelled') throw new MessengerError('invalid', 'this scheduled call is cancelled');
      const next: ScheduledCall = {
        ...change(known),
        scheduleId,
        conversationId: known.conversationId,
        linkSecret: known.linkSecret,
        organizer: known.organizer,
        revision: known.revision + 1,
        updatedAt: Math.max(this.clock.now(), known.updatedAt + 1),
      };
      checked(next);
      await this.options.store.putScheduledCall(next);
      return { call: next, titleChanged: next.title !== known.title };
    });
    this.changed.next();
    await this.tell(await this.recipients(call.conversationId), checked(call));
    return { call, titleChanged };
  }

  /** The other members of a conversation: the peer of a 1:1 chat, every other member of a group. */
  private async recipients(conversationId: string): Promise<readonly string[]> {
    const { self } = this.options;
    const members = await this.options.groupMembers(conversationId);
    if (members === undefined) {
      if (conversationId === self.userId) throw new MessengerError('invalid', 'a call with oneself is not scheduled');
      return [conversationId];
    }
    if (!members.includes(self.userId)) throw new MessengerError('invalid', 'this user is no longer a member of the group');
    return members.filter((id) => id !== self.userId);
  }

  /** Sends to every invitee (awaited: the organizer learns who was not told) and to this account's other devices. */
  private async tell(recipients: readonly string[], content: ScheduledCallContent): Promise<void> {
    const results = await Promise.allSettled(recipients.map((userId) => this.options.sendContent(userId, content)));
    this.background(this.options.sendContent(this.options.self.userId, content));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      const reason = failed.reason;
      throw reason instanceof MessengerError ? reason : new MessengerError('network', 'not every invitee could be told', { cause: reason });
    }
  }

  private async apiCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof MessengerError) throw error;
      const code = isApiError(error, 'network') ? 'network' : isApiError(error, 'rate_limited') ? 'rate-limited' : 'invalid';
      throw new MessengerError(code, error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  private background(task: Promise<unknown>): void {
    task.catch((error: unknown) =>
      this.options.onFailure(error instanceof MessengerError ? error : new MessengerError('network', error instanceof Error ? error.message : String(error), { cause: error })),
    );
  }
}

function cleanDraft(draft: ScheduledCallDraft): ScheduledCallDraft {
  return { title: draft.title.trim(), description: draft.description.trim(), startsAt: draft.startsAt, endsAt: draft.endsAt, timeZone: draft.timeZone };
}

/** The content of a call, checked against its schema (a typed error for the form to show). */
function checked(call: ScheduledCall): ScheduledCallContent {
  const content: ScheduledCallContent = { type: 'scheduled-call', ...call };
  if (!ContentSchema.safeParse(content).success) {
    throw new MessengerError('invalid', 'a scheduled call needs a title, and an end after its start within a day');
  }
  return content;
}
