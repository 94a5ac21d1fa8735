import { type KeyboardEvent, type PointerEvent, type ReactNode, useRef } from 'react';
import type { ShellMessages } from '../messages.js';
import { SPLIT_LIMITS, clampSplit, splitAfterKey } from './appearance.js';
import type { ShellLayout } from './shell-layout.js';

/**
 * The main area: the chat slot and the call slot, laid out as `layout` says (shell.css does the
 * geometry per `data-layout`). Both slots stay mounted in every layout, so a call keeps running and
 * an incoming call is heard whatever is on screen; no ancestor of the call slot transforms, filters,
 * contains or clips, so the call app's fixed-position dialogs and call bar lie over everything.
 * In the side-by-side layout a keyboard-operable separator (WAI-ARIA window splitter) sizes the two.
 */
export function MainArea(props: {
  t: ShellMessages;
  layout: ShellLayout;
  chat: ReactNode;
  call: ReactNode;
  /** The chat's share of the side-by-side split, in percent. */
  split: number;
  onSplit: (percent: number) => void;
}) {
  const { t, layout, chat, call, split, onSplit } = props;
  const main = useRef<HTMLElement>(null);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = splitAfterKey(split, event.key);
    if (next === null) return;
    event.preventDefault();
    onSplit(next);
  };
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    const area = main.current;
    if (!area) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    const move = (moved: globalThis.PointerEvent) => {
      const box = area.getBoundingClientRect();
      if (box.width > 0) onSplit(clampSplit(((moved.clientX - box.left) / box.width) * 100));
    };
    const target = event.currentTarget;
    const end = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', end);
      target.removeEventListener('pointercancel', end);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', end);
    target.addEventListener('pointercancel', end);
  };

  return (
    <main ref={main} className="shell__main" data-layout={layout} data-testid="shell-main" style={layout === 'split' ? { gridTemplateColumns: `${split}fr auto ${100 - split}fr` } : undefined}>
      {layout !== 'call-only' && <div className="shell__chat">{chat}</div>}
      {layout === 'split' && (
        <div
          className="shell__separator"
          role="separator"
          aria-orientation="vertical"
          aria-label={t.resizeSplit}
          aria-valuemin={SPLIT_LIMITS.min}
          aria-valuemax={SPLIT_LIMITS.max}
          aria-valuenow={split}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onPointerDown={onPointerDown}
          data-testid="call-split-separator"
        />
      )}
      <div className="shell__call">{call}</div>
    </main>
  );
}
