import { type RefObject, useEffect, useRef } from 'react';
import { bubbleOf } from './BubbleParts.js';

/**
 * Brings the message a search result pointed at into view once it is rendered (the history loads
 * after the conversation opens) and moves the focus to it, once per message: later arrivals
 * scroll the list as usual.
 */
export function useScrollToFound(list: RefObject<HTMLElement | null>, foundKey: string | undefined, count: number): void {
  const done = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (foundKey === undefined || done.current === foundKey) return;
    const element = bubbleOf(list.current, foundKey);
    if (element === undefined) return;
    done.current = foundKey;
    element.scrollIntoView?.({ block: 'center' });
    element.focus({ preventScroll: true });
  }, [list, foundKey, count]);
}
