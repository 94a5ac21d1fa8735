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

const ru: ShellMessages = {
  temporaryIdentity: 'временная учётная запись разработчика',
  language: 'Язык',
  remoteUnavailable: (remote) => (remote === 'call' ? 'Звонки сейчас недоступны.' : 'Чаты сейчас недоступны.'),
  remoteCrashed: (remote) => (remote === 'call' ? 'Звонки перестали работать. Обновите страницу.' : 'Чаты перестали работать. Обновите страницу.'),
  remoteWithheld: (remote) =>
    `${remote === 'call' ? 'Звонки отключены' : 'Чаты отключены'}: сервер предлагает выпуск для другой версии Parley. Попросите администратора сервера опубликовать выпуск для этой версии.`,
  loading: 'Загрузка…',
  manifestFailed: 'Не удалось загрузить настройки Parley.',
  retry: 'Повторить',
  relay: { connecting: 'Подключение…', open: 'Подключено', reconnecting: 'Переподключение…', closed: 'Нет связи' },
  relayClosed: {
    authFailed: 'сервер не принял это устройство',
    badFrame: 'сервер не смог прочитать данные от этого устройства',
    replaced: 'это устройство подключилось из другого места',
    deviceRemoved: 'это устройство удалено из учётной записи',
    tooManyConnections: 'слишком много подключений, скоро повторим',
    tooManyFrames: 'слишком много данных, скоро повторим',
    goingAway: 'сервер перезапускается',
    internalError: 'на сервере произошла ошибка',
  },
  callStatus: { outgoing: 'Вызов…', incoming: 'Входящий звонок', connecting: 'Соединение…', active: 'Идёт звонок' },
  otherTab: 'Parley открыт в другой вкладке',
  otherTabHelp: 'На этом устройстве Parley работает в одной вкладке. Открыть здесь? Другая вкладка приостановится.',
  useHere: 'Открыть здесь',
  welcome: 'Добро пожаловать в Parley',
  welcomeHelp: 'Сообщения и звонки защищены сквозным шифрованием: ключи создаются в этом браузере и не покидают его.',
  createAccount: 'Создать учётную запись',
  handle: 'Имя пользователя',
  handleHelp: 'От 3 до 32 символов: строчные латинские буквы, цифры, «_» и «.». По нему вас найдут другие.',
  displayName: 'Отображаемое имя',
  create: 'Создать',
  creating: 'Создаём ключи…',
  linkThisBrowser: 'Подключить этот браузер к существующей учётной записи',
  linkThisBrowserHelp: 'На устройстве, где вы уже вошли, откройте «Настройки» → «Подключить устройство» и введите показанный там код.',
  linkCode: 'Код подключения',
  link: 'Подключить браузер',
  linking: 'Ждём подтверждения на другом устройстве…',
  failures: {
    handle_taken: 'Это имя уже занято. Выберите другое.',
    invalid: 'Проверьте имя пользователя и отображаемое имя.',
    display_name_characters: 'В имени есть невидимые символы или символы направления текста. Введите его заново без них.',
    handle_reserved: 'Имена, начинающиеся с «guest.», зарезервированы для гостей. Выберите другое.',
    link_not_found: 'Код недействителен. Проверьте его или создайте новый.',
    link_expired: 'Срок действия кода истёк. Создайте новый на другом устройстве.',
    'invalid-code': 'Это не код подключения. Скопируйте его точно так, как он показан на другом устройстве.',
    'link-not-found': 'Код недействителен. Проверьте его или создайте новый.',
    'link-expired': 'Срок действия кода истёк. Создайте новый на другом устройстве.',
    'bad-envelope': 'Другое устройство не подтвердило подключение. Создайте новый код и попробуйте снова.',
    'wrong-account': 'Сервер ответил от имени другой учётной записи. Браузер не подключён.',
    timeout: 'Другое устройство не ответило вовремя. Создайте новый код и попробуйте снова.',
    network: 'Не удалось связаться с сервером. Попробуйте ещё раз.',
    rate_limited: 'Слишком много попыток. Подождите немного.',
    busy: 'Сервер перегружен. Попробуйте ещё раз через несколько секунд.',
  },
  failureUnknown: 'Что-то пошло не так. Попробуйте ещё раз.',
  codeNotLoaded: 'Часть Parley не загрузилась или не совпала с кодом, с которым собрана эта версия. Перезагрузите страницу.',
  settings: 'Настройки',
  closeSettings: 'Закрыть настройки',
  account: 'Учётная запись',
  thisDevice: (id) => `Это устройство (устройство ${id})`,
  devices: 'Устройства',
  device: (id) => `Устройство ${id}`,
  lastSeen: 'в сети',
  added: 'добавлено',
  removeDevice: (id) => `Удалить устройство ${id}`,
  remove: 'Удалить',
  devicesFailed: 'Не удалось загрузить список устройств.',
  linkDevice: 'Подключить устройство',
  linkDeviceHelp: 'На новом устройстве откройте Parley, выберите «Подключить этот браузер» и введите код:',
  linkCodeExpires: (time) => `Действует до ${time}, один раз.`,
  linkDone: 'Новое устройство подключено.',
  deviceRemoved: 'Это устройство удалено из вашей учётной записи. Его ключи и сообщения удалены из этого браузера.',
  signOut: 'Выйти из этого браузера',
  signOutQuestion: 'Выйти из этого браузера? Ваши сообщения в этом браузере будут удалены.',
  signOutConfirm: 'Выйти',
  signingOut: 'Выходим…',
  cancel: 'Отмена',
  guestTitle: 'Войти в звонок гостем',
  guestHelp: 'Вы открыли ссылку на звонок. Достаточно имени: браузер получит временную гостевую учётную запись, она удалится, когда вы выйдете.',
  guestName: 'Ваше имя',
  joinAsGuest: 'Войти гостем',
  joiningAsGuest: 'Подключаемся…',
  guestLeft: 'Вы вышли из звонка',
  guestLeftHelp: 'Временная гостевая учётная запись удалена с сервера и из этого браузера.',
  startOver: 'Начать заново',
  deviceFailed: 'Parley не удалось запустить на этом устройстве (ошибка хранилища или сервера).',
  connection: (status) => `Связь: ${status}`,
  guest: 'Гость',
  appearance: 'Оформление',
  theme: 'Тема',
  themes: { system: 'Как в системе', light: 'Светлая', dark: 'Тёмная' },
  callLayout: 'Расположение звонка',
  callLayouts: { stage: 'Во весь экран', split: 'Рядом с чатом' },
  callLayoutHelp: 'Где показывать звонок на широком экране. В окне размером с телефон звонок всегда во весь экран.',
  resizeSplit: 'Изменить ширину чата и звонка',
  calls: 'Звонки',
  callLinks: 'Ссылки на звонки',
  callLinksHelp: 'Ссылки, по которым к звонку может присоединиться кто угодно, даже без учётной записи.',
  manifestRejected: 'Parley отклонил непроверенную конфигурацию сервера: звонки отключены, пока это не исправят.',
  betaProgram: 'Бета-программа',
  betaHelp: 'Получайте новые версии (например, нового приложения звонков) раньше всех. Возможны недоработки.',
  betaFailed: 'Не удалось сохранить настройку бета-программы.',
  releaseInfo: 'Сведения о версиях',
  releaseInfoHelp: 'Какая версия каждого приложения работает на странице и какие общие библиотеки загружены.',
  notLoaded: 'не загружено',
  sharedLibraries: 'Общие библиотеки',
  loadedFrom: (app) => `из ${app}`,
};

export const LOCALES = [
  { tag: 'en-US', label: 'English' },
  { tag: 'ru-RU', label: 'Русский' },
] as const;

/** Messages for a BCP 47 locale, English when the language is not translated. */
export function messagesFor(locale: string): ShellMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
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
