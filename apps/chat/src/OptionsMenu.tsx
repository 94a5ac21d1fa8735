import { EllipsisVertical } from 'lucide-react';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';

/** One entry of an options menu. */
export interface MenuEntry {
  readonly label: string;
  readonly icon?: ReactNode;
  readonly onSelect: () => void;
  readonly disabled?: boolean;
  readonly testId?: string;
}

/**
 * A "more options" button and its menu (the WAI-ARIA menu button pattern): Enter, Space or a click
 * opens it with the focus on the first entry; arrows, Home and End move; choosing an entry or Escape
 * closes it and returns the focus to the button; Tab or a click elsewhere closes it.
 */
export function OptionsMenu({
  label,
  entries,
  testId = 'chat-options',
  icon = <EllipsisVertical aria-hidden="true" size={20} />,
  className,
  tabIndex,
}: {
  label: string;
  entries: readonly MenuEntry[];
  testId?: string;
  /** The button's icon (a message's menu uses a smaller chevron). */
  icon?: ReactNode;
  className?: string;
  /** -1 keeps the button out of the tab order (a message's menu: the focused message's only). */
  tabIndex?: number;
}) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const items = () => [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? [])];

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const closeOutside = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', closeOutside);
    return () => document.removeEventListener('pointerdown', closeOutside);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const onMenuKey = (event: KeyboardEvent<HTMLUListElement>) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (index: number) => {
      event.preventDefault();
      list[(index + list.length) % list.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(list.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === 'Tab') close(false);
  };

  return (
    <div className={className ? `options-menu ${className}` : 'options-menu'}>
      <button
        ref={button}
        type="button"
        className="icon-button"
        aria-label={label}
        title={label}
        tabIndex={tabIndex}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((was) => !was)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
        data-testid={testId}
      >
        {icon}
      </button>
      {open && (
        <ul ref={menu} id={menuId} role="menu" aria-label={label} className="options-menu__list" onKeyDown={onMenuKey}>
          {entries.map((entry) => (
            <li key={entry.label} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                disabled={entry.disabled}
                data-testid={entry.testId}
                onClick={() => {
                  // The focus goes back to the button first: what the entry opens (a dialog of
                  // another app, say) returns it there when it closes.
                  close(true);
                  entry.onSelect();
                }}
              >
                {entry.icon}
                <span>{entry.label}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
