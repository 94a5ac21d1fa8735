import { filter, merge, type Observable, of, Subject } from 'rxjs';

/**
 * What changed in the stores, so the streams the UI reads load again: a conversation id when its
 * history changed, `null` when only the list (contacts, notices, groups) did.
 */
export class ConversationChanges {
  private readonly subject = new Subject<string | null>();
  /** Every change as it happens. */
  readonly all$: Observable<string | null> = this.subject.asObservable();

  /** Says that `conversationId` (or, with null, the list) changed. */
  changed(conversationId: string | null): void {
    this.subject.next(conversationId);
  }

  /** Emits at once and again whenever `conversationId`'s history changes. */
  of$(conversationId: string): Observable<string> {
    return merge(of(conversationId), this.subject.pipe(filter((id): id is string => id === conversationId)));
  }

  /** Ends the streams (on sign-out). */
  close(): void {
    this.subject.complete();
  }
}
