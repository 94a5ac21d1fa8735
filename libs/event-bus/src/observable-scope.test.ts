import { BehaviorSubject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { readOnly } from './behavior.js';
import { ObservableScope } from './observable-scope.js';

function scheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('ObservableScope child scopes', () => {
  it('ends a child with its parent: the child’s subscriptions stop at the parent’s end', () => {
    scheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const parent = new ObservableScope();
      const child = parent.child();
      const source = hot('-a-b-c-d');
      const seen: string[] = [];
      child.bind(source, (value) => seen.push(value));
      cold('----e|').subscribe(() => parent.end());
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectObservable(child.ended$).toBe('----(x|)', { x: undefined });
    });
    const parent = new ObservableScope();
    const child = parent.child();
    parent.end();
    expect(child.isEnded).toBe(true);
    expect(() => child.bind(new BehaviorSubject(1), () => {})).toThrow(/after end/);
  });

  it('ends a child alone without touching its parent or its siblings', () => {
    scheduler().run(({ hot, cold, expectSubscriptions }) => {
      const parent = new ObservableScope();
      const first = parent.child();
      const second = parent.child();
      const a = hot('-a-a-a-a');
      const b = hot('-b-b-b-b');
      const p = hot('-p-p-p-p');
      first.bind(a, () => {});
      second.bind(b, () => {});
      parent.bind(p, () => {});
      cold('--x|').subscribe(() => first.end());
      cold('------x|').subscribe(() => parent.end());
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('^-----!');
      expectSubscriptions(p.subscriptions).toBe('^-----!');
    });
  });

  it('refuses a child of an ended scope', () => {
    const scope = new ObservableScope();
    scope.end();
    expect(() => scope.child()).toThrow(/child after end/);
  });
});

describe('ObservableScope Behaviors', () => {
  it('holds the latest value of a source, emits only changes, and stops following it at the end', () => {
    scheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const scope = new ObservableScope();
      const source = hot('--a-a-b---c', { a: 1, b: 2, c: 3 });
      const behavior = scope.behavior(source, 0);
      expect(behavior.value).toBe(0);
      cold('--------x|').subscribe(() => scope.end());
      expectObservable(behavior).toBe('i-a---b-|', { i: 0, a: 1, b: 2 });
      expectSubscriptions(source.subscriptions).toBe('^-------!');
    });
  });

  it('keeps the last value readable after the scope ended', () => {
    const scope = new ObservableScope();
    const source = new BehaviorSubject('first');
    const behavior = scope.behavior(source, 'initial');
    source.next('second');
    scope.end();
    source.next('third');
    expect(behavior.value).toBe('second');
  });

  it('derives a Behavior from others: readable at once, recomputed on every change of an input', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const scope = new ObservableScope();
      const muted = scope.behavior(hot('--t----f', { t: true, f: false }), false);
      const count = scope.behavior(hot('----2--', { 2: 2 }), 1);
      const label = scope.derive([muted, count], (isMuted, people) => `${people}${isMuted ? ' muted' : ''}`);
      expect(label.value).toBe('1');
      expectObservable(label).toBe('a-b-c--d', { a: '1', b: '1 muted', c: '2 muted', d: '2' });
    });
  });

  it('derives nothing new when the result is the same value', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const scope = new ObservableScope();
      const count = scope.behavior(hot('-2-3-4', { 2: 2, 3: 3, 4: 4 }), 1);
      const many = scope.derive([count], (n) => n > 2);
      expectObservable(many).toBe('f--t', { f: false, t: true });
    });
  });

  it('derives from Behaviors made elsewhere (the bus’s read-only states)', () => {
    const scope = new ObservableScope();
    const subject = new BehaviorSubject(2);
    const doubled = scope.derive([readOnly(subject)], (n) => n * 2);
    subject.next(5);
    expect(doubled.value).toBe(10);
    scope.end();
    subject.next(7);
    expect(doubled.value).toBe(10);
    expect(subject.observed).toBe(false);
  });
});
