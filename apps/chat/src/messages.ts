/** User-facing text of the chat app, per language. */
const en = {
  conversations: 'Conversations',
  voiceCall: 'Voice call',
  videoCall: 'Video call',
  noMessages: 'No messages yet. Messages are end-to-end encrypted.',
  inCall: 'In a call',
};

export type ChatMessages = typeof en;

const ru: ChatMessages = {
  conversations: 'Чаты',
  voiceCall: 'Аудиозвонок',
  videoCall: 'Видеозвонок',
  noMessages: 'Сообщений пока нет. Сообщения защищены сквозным шифрованием.',
  inCall: 'Идёт звонок',
};

/** Messages for a BCP 47 locale, English when the language is not translated. */
export function messagesFor(locale: string): ChatMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}
