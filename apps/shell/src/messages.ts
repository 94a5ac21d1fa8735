import {
  type ApiClientFailureCode,
  type ApiErrorCode,
  type CodesOf,
  type DeviceLinkFailureCode,
  type RelayCloseCause,
  type RelayStatus,
  type RemoteName,
  errorCodeOf,
  textForCode,
} from '@parley/contracts';

/** Why onboarding refuses a form before asking the server (OnboardingScreen's own checks). */
export type OnboardingInputProblem = 'invalid' | 'display_name_characters' | 'handle_reserved';

/** Every failure onboarding explains in its own words; any other code gets `failureUnknown`. */
export type OnboardingFailureCode =
  | OnboardingInputProblem
  | CodesOf<ApiErrorCode, 'handle_taken' | 'link_not_found' | 'link_expired' | 'rate_limited' | 'busy'>
  | DeviceLinkFailureCode
  | CodesOf<ApiClientFailureCode, 'network'>;

/** User-facing text of the shell, per language. */
const en = {
  temporaryIdentity: 'development identity (temporary)',
  language: 'Language',
  remoteUnavailable: (remote: RemoteName): string => (remote === 'call' ? 'Calls are unavailable right now.' : 'Chats are unavailable right now.'),
  remoteCrashed: (remote: RemoteName): string => (remote === 'call' ? 'Calls stopped working. Reload to try again.' : 'Chats stopped working. Reload to try again.'),
  remoteWithheld: (remote: RemoteName): string =>
    `${remote === 'call' ? 'Calls are' : 'Chats are'} off: the server offers a release made for another version of Parley. Ask its operator for one made for this version.`,
  loading: 'Loading…',
  manifestFailed: 'Parley could not load its configuration.',
  retry: 'Try again',
  relay: { connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…', closed: 'Offline' },
  /** Why the server closed the connection (libs/contracts relay-close), beside the status until it is back. */
  relayClosed: {
    authFailed: 'the server did not accept this device',
    badFrame: 'the server could not read what this device sent',
    replaced: 'this device connected from somewhere else',
    deviceRemoved: 'this device was removed from its account',
    tooManyConnections: 'too many connections, trying again shortly',
    tooManyFrames: 'too much traffic, trying again shortly',
    goingAway: 'the server is restarting',
    internalError: 'the server had a problem',
  } satisfies Record<RelayCloseCause, string>,
  callStatus: { outgoing: 'Calling…', incoming: 'Incoming call', connecting: 'Connecting call…', active: 'In a call' } as Record<string, string>,
  // One active tab per device.
  otherTab: 'Parley is open in another tab',
  otherTabHelp: 'Parley works in one tab at a time on this device. Use it here instead? The other tab will pause.',
  useHere: 'Use here',
  // Onboarding.
  welcome: 'Welcome to Parley',
  welcomeHelp: 'Messages and calls are end-to-end encrypted: your keys are made in this browser and never leave it.',
  createAccount: 'Create an account',
  handle: 'Handle',
  handleHelp: '3–32 characters: lowercase letters, digits, “_” and “.”. Others find you by it.',
  displayName: 'Display name',
  create: 'Create account',
  creating: 'Creating keys…',
  linkThisBrowser: 'Link this browser to an account you already have',
  linkThisBrowserHelp: 'On a device where you are signed in, open Settings → “Link a device” and enter the code shown there.',
  linkCode: 'Link code',
  link: 'Link this browser',
  linking: 'Waiting for your other device…',
  // Linking by QR code (issue 19): the new browser's camera.
  scanQr: 'Scan QR code',
  scanQrHelp: 'Point the camera at the QR code your other device shows in Settings → “Link a device”.',
  cameraPreview: 'Camera preview',
  stopScanning: 'Stop scanning',
  startingCamera: 'Starting the camera…',
  cameraDenied: 'Parley may not use the camera. Allow it in the browser, or type the code instead.',
  noCamera: 'No camera was found. Type the code instead.',
  cameraFailed: 'The camera could not be started. Type the code instead.',
  qrNotALinkCode: 'That QR code is not a Parley link code.',
  qrNewerVersion: 'That link code comes from a newer Parley. Reload this page, or type the code.',
  qrOtherServer: (origin: string): string => `That link code is for another Parley server (${origin}). Make a code on this one.`,
  failures: {
    handle_taken: 'That handle is taken. Pick another one.',
    invalid: 'Check the handle and display name.',
    display_name_characters: 'The name contains invisible or text-direction characters. Type it again without them.',
    handle_reserved: 'Handles starting with “guest.” are kept for guests. Pick another one.',
    link_not_found: 'That code is not valid. Check it, or make a new one.',
    link_expired: 'That code has expired. Make a new one on your other device.',
    'invalid-code': 'That is not a link code. Copy it exactly as your other device shows it.',
    'link-not-found': 'That code is not valid. Check it, or make a new one.',
    'link-expired': 'That code has expired. Make a new one on your other device.',
    'bad-envelope': 'Your other device did not confirm this link. Make a new code and try again.',
    'wrong-account': 'The server answered for another account. This browser was not linked.',
    timeout: 'Your other device did not answer in time. Make a new code and try again.',
    network: 'Parley could not reach the server. Try again.',
    rate_limited: 'Too many attempts. Wait a moment.',
    busy: 'The server is busy. Try again in a few seconds.',
  } satisfies Record<OnboardingFailureCode, string>,
  /** Any failure whose code onboarding does not know: never the raw code. */
  failureUnknown: 'Something went wrong. Try again.',
  /** A part of the shell loaded on demand failed to load, or was refused by its integrity check. */
  codeNotLoaded: 'Part of Parley could not be loaded, or was not the code this version was built with. Reload the page.',
  // Settings.
  settings: 'Settings',
  closeSettings: 'Close settings',
  account: 'Account',
  thisDevice: (id: number): string => `This device (device ${id})`,
  devices: 'Devices',
  device: (id: number): string => `Device ${id}`,
  lastSeen: 'last seen',
  added: 'added',
  removeDevice: (id: number): string => `Remove device ${id}`,
  remove: 'Remove',
  devicesFailed: 'The device list could not be loaded.',
  linkDevice: 'Link a device',
  linkDeviceHelp: 'On the new device, open Parley, choose “Link this browser” and enter this code:',
  linkCodeExpires: (time: string): string => `Valid until ${time}, once.`,
  linkDone: 'The new device is linked.',
  linkQrCode: 'QR code to link a new browser',
  linkQrHelp: 'On the new browser, open Parley and choose “Scan QR code”. Or type the code below.',
  historyQuestion: 'Send recent messages to the new browser?',
  historyChoices: { 0: 'No', 1: 'Last month', 3: 'Last 3 months', 12: 'Last 12 months' } as Record<0 | 1 | 3 | 12, string>,
  historyHelp: 'They travel end-to-end encrypted: the server cannot read them.',
  historySending: 'Sending recent messages to the new browser…',
  historySent: (count: number): string => (count === 1 ? 'Sent 1 recent message to the new browser.' : `Sent ${count} recent messages to the new browser.`),
  historyFailed: 'The recent messages could not be sent to the new browser.',
  deviceRemoved: 'This device was removed from your account. Its keys and messages were deleted from this browser.',
  signOut: 'Sign out of this browser',
  signOutQuestion: 'Sign out of this browser? Your messages on this browser will be deleted.',
  signOutConfirm: 'Sign out',
  signingOut: 'Signing out…',
  cancel: 'Cancel',
  guestTitle: 'Join the call as a guest',
  guestHelp: 'You opened a call link. Join with just a name: this browser gets a temporary guest account, removed when you leave.',
  guestName: 'Your name',
  joinAsGuest: 'Join as guest',
  joiningAsGuest: 'Joining…',
  guestLeft: 'You left the call',
  guestLeftHelp: 'Your temporary guest account was removed from the server and from this browser.',
  startOver: 'Start over',
  deviceFailed: 'Parley could not start on this device (its storage or the server failed).',
  // Header and appearance.
  connection: (status: string): string => `Connection: ${status}`,
  guest: 'Guest',
  appearance: 'Appearance',
  theme: 'Theme',
  themes: { system: 'System', light: 'Light', dark: 'Dark' },
  callLayout: 'Call layout',
  callLayouts: { stage: 'Full stage', split: 'Side by side with the chat' },
  callLayoutHelp: 'Where a call goes on wide screens. On a phone-sized window a call is always full screen.',
  resizeSplit: 'Resize the chat and the call',
  calls: 'Calls',
  callLinks: 'Call links',
  callLinksHelp: 'Links anyone can use to join a call, even without an account.',
  // Release train.
  manifestRejected: 'Parley refused an unverified configuration from the server: calls are off until it is fixed.',
  betaProgram: 'Beta program',
  betaHelp: 'Get new releases (such as a new call app) before everyone else. They may have rough edges.',
  betaFailed: 'The beta setting could not be saved.',
  releaseInfo: 'Release information',
  releaseInfoHelp: 'Which release of each app this page runs, and the shared libraries it loaded.',
  notLoaded: 'not loaded',
  sharedLibraries: 'Shared libraries',
  loadedFrom: (app: string): string => `from ${app}`,
};

export type ShellMessages = typeof en;

export const LOCALES = [
  { tag: 'en-US', label: 'English' },
  { tag: 'ru-RU', label: 'Русский' },
] as const;

// Russian is a chunk of its own (issue 20: a page in English does not download it), loaded before
// a Russian page first renders (ShellRoot) and before the language is switched to it.
let ru: ShellMessages | null = null;
const isRussian = (locale: string): boolean => locale.toLowerCase().startsWith('ru');

/** Messages for a BCP 47 locale, English when the language is not translated (or not loaded: see loadMessages). */
export function messagesFor(locale: string): ShellMessages {
  return isRussian(locale) && ru !== null ? ru : en;
}

/** Whether `messagesFor(locale)` already answers in the locale's own language. */
export function messagesLoaded(locale: string): boolean {
  return !isRussian(locale) || ru !== null;
}

/** Loads the locale's messages (a lazily loaded chunk for Russian); resolves to them. */
export async function loadMessages(locale: string): Promise<ShellMessages> {
  if (isRussian(locale) && ru === null) ru = (await import('./messages-ru.js')).ru;
  return messagesFor(locale);
}

/** The supported locale closest to the browser's language. */
export function defaultLocale(browserLanguage: string): string {
  return browserLanguage.toLowerCase().startsWith('ru') ? 'ru-RU' : 'en-US';
}

/**
 * What the screens say about a failure: its code's text, the network text when it carries no code
 * (no answer came), the generic text for a code they do not know. Never the raw code.
 */
export function failureText(t: ShellMessages, error: unknown): string {
  // The bundler's error for a chunk that did not load: unreachable, or refused by Subresource Integrity.
  if ((error as { name?: unknown } | null | undefined)?.name === 'ChunkLoadError') return t.codeNotLoaded;
  const code = errorCodeOf(error);
  return code === undefined ? t.failures.network : textForCode(t.failures, code, t.failureUnknown);
}

/**
 * The connection's status in words, with why the server closed it while it is not back (a cause
 * from libs/contracts' relay-close, or none for a network drop): never a close code.
 */
export function relayStatusText(t: ShellMessages, status: RelayStatus, closeCause: RelayCloseCause | null): string {
  const why = status !== 'open' && closeCause !== null ? textForCode(t.relayClosed, closeCause, '') : '';
  return why ? `${t.relay[status]} (${why})` : t.relay[status];
}
