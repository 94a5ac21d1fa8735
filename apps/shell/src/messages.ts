import type { RemoteName } from '@parley/contracts';

/** User-facing text of the shell, per language. */
const en = {
  temporaryIdentity: 'development identity (temporary)',
  language: 'Language',
  remoteUnavailable: (remote: RemoteName): string => (remote === 'call' ? 'Calls are unavailable right now.' : 'Chats are unavailable right now.'),
  remoteCrashed: (remote: RemoteName): string => (remote === 'call' ? 'Calls stopped working. Reload to try again.' : 'Chats stopped working. Reload to try again.'),
  loading: 'Loading…',
  manifestFailed: 'Parley could not load its configuration.',
  retry: 'Try again',
  relay: { connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…', closed: 'Offline' },
  callStatus: { outgoing: 'Calling…', incoming: 'Incoming call', connecting: 'Connecting call…', active: 'In a call' } as Record<string, string>,
};

export type ShellMessages = typeof en;

const ru: ShellMessages = {
  temporaryIdentity: 'временная учётная запись разработчика',
  language: 'Язык',
  remoteUnavailable: (remote) => (remote === 'call' ? 'Звонки сейчас недоступны.' : 'Чаты сейчас недоступны.'),
  remoteCrashed: (remote) => (remote === 'call' ? 'Звонки перестали работать. Обновите страницу.' : 'Чаты перестали работать. Обновите страницу.'),
  loading: 'Загрузка…',
  manifestFailed: 'Не удалось загрузить настройки Parley.',
  retry: 'Повторить',
  relay: { connecting: 'Подключение…', open: 'Подключено', reconnecting: 'Переподключение…', closed: 'Нет связи' },
  callStatus: { outgoing: 'Вызов…', incoming: 'Входящий звонок', connecting: 'Соединение…', active: 'Идёт звонок' },
};

export const LOCALES = [
  { tag: 'en-US', label: 'English' },
  { tag: 'ru-RU', label: 'Русский' },
] as const;

/** Messages for a BCP 47 locale, English when the language is not translated. */
export function messagesFor(locale: string): ShellMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}
