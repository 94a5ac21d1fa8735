import { type Observable, type Observer, Subject, Subscription } from 'rxjs';

/**
 * Owns subscriptions for something with a lifetime (a mounted remote, a call). Ending the scope
 * unsubscribes everything bound to it, so nothing a destroyed remote subscribed lives on.
 */
export class ObservableScope {
  private readonly subscriptions = new Subscription();
  private readonly ended = new Subject<void>();

  /** Emits once when the scope ends. */
  readonly ended$: Observable<void> = this.ended.asObservable();

  get isEnded(): boolean {
    return this.subscriptions.closed;
  }

  /** Subscribes `observer` to `source$` for the lifetime of this scope. */
  bind<T>(source$: Observable<T>, observer: Partial<Observer<T>> | ((value: T) => void)): void {
    if (this.isEnded) throw new Error('ObservableScope: bind after end');
    this.subscriptions.add(source$.subscribe(observer));
  }

  /** Runs `teardown` when the scope ends. */
  onEnd(teardown: () => void): void {
    if (this.isEnded) throw new Error('ObservableScope: onEnd after end');
    this.subscriptions.add(teardown);
  }

  end(): void {
    if (this.isEnded) return;
    this.subscriptions.unsubscribe();
    this.ended.next();
    this.ended.complete();
  }
}
