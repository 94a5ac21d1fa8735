import { secretFromLink } from '@parley/call-links';

/**
 * The call-link route: a page opened at `/call#<secret>` carries a link's root secret in its
 * fragment (never sent to the server). Returns the secret and puts the address back to `/`, so the
 * secret does not linger in the address bar, in history, or in a bookmark of the app.
 */
export function takeCallLinkFromLocation(location: Pick<Location, 'pathname' | 'hash'>, history: Pick<History, 'replaceState'>): string | null {
  if (location.pathname.replace(/\/+$/, '') !== '/call' || location.hash.length < 2) return null;
  let secret: string;
  try {
    secret = secretFromLink(location.hash);
  } catch {
    return null;
  }
  history.replaceState(null, '', '/');
  return secret;
}
