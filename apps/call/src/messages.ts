/** User-facing text of the call app, per language. */
const en = {
  calling: (name: string) => `Calling ${name}…`,
  voiceCall: 'Voice call',
  videoCall: 'Video call',
  hangUp: 'Hang up',
  callEnded: 'Call ended',
  signedInAs: (name: string) => `Signed in as ${name}`,
};

export type CallMessages = typeof en;

const ru: CallMessages = {
  calling: (name) => `Звоним: ${name}…`,
  voiceCall: 'Аудиозвонок',
  videoCall: 'Видеозвонок',
  hangUp: 'Завершить',
  callEnded: 'Звонок завершён',
  signedInAs: (name) => `Вы вошли как ${name}`,
};

/** Messages for a BCP 47 locale, English when the language is not translated. */
export function messagesFor(locale: string): CallMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}
