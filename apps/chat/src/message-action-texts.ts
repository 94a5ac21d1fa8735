/**
 * The chat's words for replies, reactions, edits and deletions (issue 18), per language; part of
 * ChatMessages (messages.ts spreads them in), kept here so the feature's strings sit together.
 */
export const messageActionTextsEn = {
  messageActions: 'Message actions',
  reply: 'Reply',
  react: 'React',
  edit: 'Edit',
  delete: 'Delete',
  reactWith: (emoji: string): string => `React with ${emoji}`,
  /** A reaction under a bubble: its emoji, how many, and who (the names also show as its tooltip). */
  reactedBy: (emoji: string, names: readonly string[]): string => `${emoji} ${names.length}: ${names.join(', ')}`,
  reactions: 'Reactions',
  edited: 'edited',
  deletedMessage: 'This message was deleted',
  quotedMessage: (name: string, excerpt: string): string => `Quoted message from ${name}: ${excerpt}. Go to it`,
  replyingTo: (name: string): string => `Replying to ${name}`,
  cancelReply: 'Cancel reply',
  editingMessage: 'Edit message',
  saveEdit: 'Save',
  cancelEdit: 'Cancel editing',
  editHint: 'Enter saves, Escape cancels.',
  deleteTitle: 'Delete message?',
  deleteForMe: 'Delete for me',
  deleteForEveryone: 'Delete for everyone',
  deleteTooLate: 'Deleting for everyone is possible for about two days after sending.',
  actionFailed: 'That did not work. Try again.',
  originalGone: 'The original message is not on this device.',
};

export type MessageActionTexts = typeof messageActionTextsEn;

export const messageActionTextsRu: MessageActionTexts = {
  messageActions: 'Действия с сообщением',
  reply: 'Ответить',
  react: 'Реакция',
  edit: 'Изменить',
  delete: 'Удалить',
  reactWith: (emoji) => `Отреагировать: ${emoji}`,
  reactedBy: (emoji, names) => `${emoji} ${names.length}: ${names.join(', ')}`,
  reactions: 'Реакции',
  edited: 'изменено',
  deletedMessage: 'Это сообщение удалено',
  quotedMessage: (name, excerpt) => `Цитата из сообщения (${name}): ${excerpt}. Перейти к нему`,
  replyingTo: (name) => `Ответ: ${name}`,
  cancelReply: 'Отменить ответ',
  editingMessage: 'Изменение сообщения',
  saveEdit: 'Сохранить',
  cancelEdit: 'Отменить изменение',
  editHint: 'Enter — сохранить, Escape — отменить.',
  deleteTitle: 'Удалить сообщение?',
  deleteForMe: 'Удалить у меня',
  deleteForEveryone: 'Удалить у всех',
  deleteTooLate: 'Удалить у всех можно в течение примерно двух суток после отправки.',
  actionFailed: 'Не получилось. Попробуйте ещё раз.',
  originalGone: 'Исходного сообщения нет на этом устройстве.',
};
