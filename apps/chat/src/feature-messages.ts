/**
 * User-facing text of typing indicators, group "Message info" and message search, per language.
 * Kept apart from messages.ts so these features add no lines to the chat's shared dictionary.
 */

const en = {
  typingOne: (name: string): string => `${name} is typing…`,
  typingMany: (count: number): string => `${count} people are typing…`,
  messageInfo: 'Message info',
  messageInfoTitle: 'Message info',
  readBy: 'Read by',
  deliveredTo: 'Delivered to',
  waitingFor: 'Not delivered yet',
  nobodyYet: 'Nobody yet',
  close: 'Close',
  searchMessages: 'Search messages',
  searchPlaceholder: 'Search messages',
  searchResults: (count: number): string => (count === 1 ? '1 message found' : `${count} messages found`),
  searchNothing: (query: string): string => `No messages contain “${query}”.`,
  searchFailed: 'Searching failed. Try again.',
  searching: 'Searching…',
  you: 'You',
  clearSearch: 'Clear search',
};

export type FeatureMessages = typeof en;

/** Russian plural form for a count: one (1, 21), few (2–4, 22–24) or many. */
function russianPlural(count: number, one: string, few: string, many: string): string {
  const form = new Intl.PluralRules('ru').select(count);
  return form === 'one' ? one : form === 'few' ? few : many;
}

const ru: FeatureMessages = {
  typingOne: (name) => `${name} печатает…`,
  typingMany: (count) => `${count} ${russianPlural(count, 'человек печатает', 'человека печатают', 'человек печатают')}…`,
  messageInfo: 'Данные сообщения',
  messageInfoTitle: 'Данные сообщения',
  readBy: 'Прочитали',
  deliveredTo: 'Доставлено',
  waitingFor: 'Ещё не доставлено',
  nobodyYet: 'Пока никто',
  close: 'Закрыть',
  searchMessages: 'Поиск сообщений',
  searchPlaceholder: 'Поиск сообщений',
  searchResults: (count) => `Найдено: ${count} ${russianPlural(count, 'сообщение', 'сообщения', 'сообщений')}`,
  searchNothing: (query) => `Нет сообщений со словами «${query}».`,
  searchFailed: 'Поиск не удался. Попробуйте ещё раз.',
  searching: 'Поиск…',
  you: 'Вы',
  clearSearch: 'Очистить поиск',
};

/** The features' text for a BCP 47 locale, English when the language is not translated. */
export function featureMessagesFor(locale: string): FeatureMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}

/** What the typing line says for these names (empty: nobody types). */
export function typingText(t: FeatureMessages, names: readonly string[]): string {
  if (names.length === 0) return '';
  return names.length === 1 ? t.typingOne(names[0]!) : t.typingMany(names.length);
}
