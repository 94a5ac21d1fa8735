import { avatarColour, initialsOf } from '@parley/design-tokens';

/**
 * A round avatar: initials on the account's colour, the same helper and tokens as the chat's, so a
 * person looks the same in the list, the conversation and the call. Decorative (the name is always
 * said next to it).
 */
export function Avatar(props: { accountId: string; name: string; size?: 'md' | 'lg' }) {
  return (
    <span class={`call-avatar call-avatar--${props.size ?? 'lg'}`} aria-hidden="true" style={{ background: avatarColour(props.accountId) }}>
      {initialsOf(props.name)}
    </span>
  );
}
