import type { CallEntry } from '@parley/contracts';
import type { DeliveryState } from '@parley/messenger';

/** User-facing text of the chat app, per language. */
const en = {
  conversations: 'Conversations',
  voiceCall: 'Voice call',
  videoCall: 'Video call',
  noMessages: 'No messages yet. Messages are end-to-end encrypted.',
  noConversations: 'No conversations yet. Find someone by their handle.',
  noConversationOpen: 'Choose a conversation, or find someone by their handle.',
  inCall: 'In a call',
  findHandle: 'Handle',
  findHandlePlaceholder: 'e.g. ada.lovelace',
  startChat: 'Start chat',
  finding: 'Looking…',
  findFailed: {
    'user-not-found': 'Nobody has that handle.',
    network: 'Parley could not reach the server. Try again.',
    'identity-untrusted': 'This contact’s safety number changed. Accept it first.',
    'devices-changed-loop': 'This contact’s devices keep changing. Try again later.',
    'rate-limited': 'Too many requests. Wait a moment.',
    invalid: 'That is not a valid handle.',
  } as Record<string, string>,
  unread: (count: number): string => (count === 1 ? '1 unread message' : `${count} unread messages`),
  you: 'You',
  message: 'Message',
  messagePlaceholder: 'Write a message (Enter sends, Shift+Enter for a new line)',
  send: 'Send',
  sendFailed: 'The message could not be sent.',
  delivery: { sending: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Not sent' } satisfies Record<DeliveryState, string>,
  messages: (name: string): string => `Messages with ${name}`,
  safetyNumber: 'Safety number',
  safetyNumberTitle: (name: string): string => `Safety number with ${name}`,
  safetyNumberHelp: (name: string): string =>
    `Compare these numbers with ${name}, in person or on a call. If they match on both devices, your conversation is end-to-end encrypted with nobody in between.`,
  back: 'Back',
  identityChanged: (name: string): string =>
    `${name}’s safety number has changed. This can mean they reinstalled Parley, or that someone is trying to intercept the conversation. Verify the new safety number before sending anything sensitive.`,
  acceptIdentity: 'Accept',
  safetyNumberChanged: 'Safety number changed',
  viewSafetyNumber: 'View safety number',
  newDevice: (name: string): string => `${name} added a new device.`,
  dismiss: 'Dismiss',
  signedOut: 'Sign in to Parley to chat.',
  callEntry: (entry: CallEntry): string => {
    const kind = entry.media === 'video' ? 'video call' : 'voice call';
    const name = entry.peer.displayName;
    switch (entry.outcome) {
      case 'hung-up':
        return `${entry.direction === 'outgoing' ? 'Outgoing' : 'Incoming'} ${kind}`;
      case 'declined':
        return entry.direction === 'outgoing' ? `${name} declined the ${kind}` : `You declined the ${kind}`;
      case 'busy':
        return entry.direction === 'outgoing' ? `${name} was busy` : `Missed ${kind} (you were busy)`;
      case 'missed':
        return entry.direction === 'outgoing' ? `${name} did not answer` : `Missed ${kind}`;
      case 'cancelled':
        return `Cancelled ${kind}`;
      case 'answered-elsewhere':
        return `${kind[0]!.toUpperCase()}${kind.slice(1)} answered on another device`;
      case 'failed':
        return `${kind[0]!.toUpperCase()}${kind.slice(1)} failed to connect`;
    }
  },
  callDuration: (duration: string): string => `duration ${duration}`,
  newGroup: 'New group',
  groupName: 'Group name',
  groupMembers: 'Members (handles, separated by commas or spaces)',
  groupMembersPlaceholder: 'e.g. ada, grace',
  createGroup: 'Create group',
  creatingGroup: 'Creating…',
  cancel: 'Cancel',
  groupLabel: 'Group',
  memberCount: (count: number): string => (count === 1 ? '1 member' : `${count} members`),
  members: 'Members',
  addMember: 'Add member',
  addMemberHandle: 'Handle to add',
  add: 'Add',
  removeMember: (name: string): string => `Remove ${name}`,
  remove: 'Remove',
  startGroupCall: 'Start group call',
  groupMessages: (name: string): string => `Messages in ${name}`,
  notAMember: 'You are no longer a member of this group.',
  groupFailed: 'That did not work. Check the handles and try again.',
};

export type ChatMessages = typeof en;

const ru: ChatMessages = {
  conversations: 'Чаты',
  voiceCall: 'Аудиозвонок',
  videoCall: 'Видеозвонок',
  noMessages: 'Сообщений пока нет. Сообщения защищены сквозным шифрованием.',
  noConversations: 'Чатов пока нет. Найдите собеседника по имени пользователя.',
  noConversationOpen: 'Выберите чат или найдите собеседника по имени пользователя.',
  inCall: 'Идёт звонок',
  findHandle: 'Имя пользователя',
  findHandlePlaceholder: 'например, ada.lovelace',
  startChat: 'Начать чат',
  finding: 'Поиск…',
  findFailed: {
    'user-not-found': 'Пользователя с таким именем нет.',
    network: 'Не удалось связаться с сервером. Попробуйте ещё раз.',
    'identity-untrusted': 'Код безопасности собеседника изменился. Сначала примите его.',
    'devices-changed-loop': 'Устройства собеседника постоянно меняются. Попробуйте позже.',
    'rate-limited': 'Слишком много запросов. Подождите немного.',
    invalid: 'Недопустимое имя пользователя.',
  },
  unread: (count) => `Непрочитанных сообщений: ${count}`,
  you: 'Вы',
  message: 'Сообщение',
  messagePlaceholder: 'Напишите сообщение (Enter — отправить, Shift+Enter — новая строка)',
  send: 'Отправить',
  sendFailed: 'Сообщение не удалось отправить.',
  delivery: { sending: 'Отправляется', sent: 'Отправлено', delivered: 'Доставлено', read: 'Прочитано', failed: 'Не отправлено' },
  messages: (name) => `Переписка с ${name}`,
  safetyNumber: 'Код безопасности',
  safetyNumberTitle: (name) => `Код безопасности: ${name}`,
  safetyNumberHelp: (name) =>
    `Сравните эти числа с собеседником (${name}) лично или во время звонка. Если на обоих устройствах они совпадают, переписка защищена сквозным шифрованием и посредника нет.`,
  back: 'Назад',
  identityChanged: (name) =>
    `Код безопасности собеседника (${name}) изменился. Возможно, он переустановил Parley, а возможно, кто-то пытается перехватить переписку. Проверьте новый код, прежде чем отправлять что-то важное.`,
  acceptIdentity: 'Принять',
  safetyNumberChanged: 'Код безопасности изменился',
  viewSafetyNumber: 'Показать код безопасности',
  newDevice: (name) => `${name}: добавлено новое устройство.`,
  dismiss: 'Скрыть',
  signedOut: 'Войдите в Parley, чтобы переписываться.',
  callEntry: (entry) => {
    const kind = entry.media === 'video' ? 'видеозвонок' : 'аудиозвонок';
    const name = entry.peer.displayName;
    switch (entry.outcome) {
      case 'hung-up':
        return `${entry.direction === 'outgoing' ? 'Исходящий' : 'Входящий'} ${kind}`;
      case 'declined':
        return entry.direction === 'outgoing' ? `${name}: ${kind} отклонён` : `Вы отклонили ${kind}`;
      case 'busy':
        return entry.direction === 'outgoing' ? `${name}: линия занята` : `Пропущенный ${kind} (вы были заняты)`;
      case 'missed':
        return entry.direction === 'outgoing' ? `${name}: нет ответа` : `Пропущенный ${kind}`;
      case 'cancelled':
        return `Отменённый ${kind}`;
      case 'answered-elsewhere':
        return `${kind[0]!.toUpperCase()}${kind.slice(1)} принят на другом устройстве`;
      case 'failed':
        return `${kind[0]!.toUpperCase()}${kind.slice(1)}: не удалось соединиться`;
    }
  },
  callDuration: (duration) => `длительность ${duration}`,
  newGroup: 'Новая группа',
  groupName: 'Название группы',
  groupMembers: 'Участники (имена пользователей через запятую или пробел)',
  groupMembersPlaceholder: 'например, ada, grace',
  createGroup: 'Создать группу',
  creatingGroup: 'Создание…',
  cancel: 'Отмена',
  groupLabel: 'Группа',
  memberCount: (count) => `Участников: ${count}`,
  members: 'Участники',
  addMember: 'Добавить участника',
  addMemberHandle: 'Имя пользователя',
  add: 'Добавить',
  removeMember: (name) => `Удалить: ${name}`,
  remove: 'Удалить',
  startGroupCall: 'Начать групповой звонок',
  groupMessages: (name) => `Сообщения в группе «${name}»`,
  notAMember: 'Вы больше не участник этой группы.',
  groupFailed: 'Не получилось. Проверьте имена пользователей и попробуйте ещё раз.',
};

/** Messages for a BCP 47 locale, English when the language is not translated. */
export function messagesFor(locale: string): ChatMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}

/** "14:05" today, otherwise a short date, in the chosen language. */
export function formatTime(at: number, locale: string, now = Date.now()): string {
  const date = new Date(at);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(locale, sameDay ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short' }).format(date);
}

/** A call's duration as m:ss, or h:mm:ss from an hour on. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
