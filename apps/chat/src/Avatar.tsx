import { avatarColour, initialsOf } from '@parley/design-tokens';
import { Users } from 'lucide-react';

/**
 * A person's or group's avatar: initials (a group icon for groups) on the account's colour.
 * Decorative: the name is always written next to it.
 */
export function Avatar({ id, name, group = false, size = 'md' }: { id: string; name: string; group?: boolean; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <span className={`avatar avatar--${size}`} aria-hidden="true" style={{ backgroundColor: avatarColour(id) }} data-testid="avatar">
      {group ? <Users size={size === 'lg' ? 40 : 20} /> : initialsOf(name)}
    </span>
  );
}
