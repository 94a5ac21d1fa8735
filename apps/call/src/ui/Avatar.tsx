import { avatarLook } from './avatar.js';

/** A round avatar: initials on the account's colour. Decorative (the name is always said next to it). */
export function Avatar(props: { accountId: string; name: string; size?: 'md' | 'lg' }) {
  const look = () => avatarLook(props.accountId, props.name);
  return (
    <span class={`call-avatar call-avatar--${props.size ?? 'lg'}`} aria-hidden="true" style={{ '--call-avatar-hue': String(look().hue) }}>
      {look().initials}
    </span>
  );
}
