import { type CallEntry, type MessengerFailureCode, errorCodeOf, textForCode } from '@parley/contracts';
import type { DeliveryState } from '@parley/messenger';
import { messageActionTextsEn, messageActionTextsRu } from './message-action-texts.js';

/** User-facing text of the chat app, per language. */
const en = {
  conversations: 'Conversations',
  chats: 'Chats',
  noMatches: (query: string): string => `No chats match “${query}”. Press Enter to look for the handle @${query.replace(/^@/, '')}.`,
  backToList: 'Back to chats',
  chatOptions: 'Chat options',
  callLinks: 'Call links',
  today: 'Today',
  yesterday: 'Yesterday',
  groupNamed: (name: string): string => `${name} (group)`,
  encryptedHint: 'Messages and calls are end-to-end encrypted: nobody outside this chat, not even Parley, can read or listen to them.',
  welcomeTitle: 'Parley for the web',
  welcomeHint: 'Pick a chat on the left, or type someone’s handle in the search box to start one.',
  emptyListHint: 'Type a friend’s handle in the search box above to start your first chat, or create a group.',
  voiceCall: 'Voice call',
  videoCall: 'Video call',
  noMessages: 'No messages yet. Messages are end-to-end encrypted.',
  noConversations: 'No conversations yet. Find someone by their handle.',
  noConversationOpen: 'Choose a conversation, or find someone by their handle.',
  inCall: 'In a call',
  findHandle: 'Search chats or find a handle',
  findHandlePlaceholder: 'Search or start a chat',
  startChat: 'Start chat',
  finding: 'Looking…',
  findFailed: {
    'user-not-found': 'Nobody has that handle.',
    network: 'Parley could not reach the server. Try again.',
    'identity-untrusted': 'This contact’s safety number changed. Accept it first.',
    'devices-changed-loop': 'This contact’s devices keep changing. Try again later.',
    'rate-limited': 'Too many requests. Wait a moment.',
    invalid: 'That is not a valid handle.',
    'queue-full': 'This contact has been away for long and has too many messages waiting. Try again later.',
  } satisfies Record<MessengerFailureCode, string>,
  /** Any failure whose code the chat does not know: never the raw code. */
  failureUnknown: 'Something went wrong. Try again.',
  unread: (count: number): string => (count === 1 ? '1 unread message' : `${count} unread messages`),
  you: 'You',
  message: 'Message',
  messagePlaceholder: 'Type a message',
  composerHint: 'Enter sends, Shift+Enter starts a new line.',
  send: 'Send',
  sendFailed: 'The message could not be sent.',
  queueFull: (name: string): string =>
    `Not delivered: ${name}’s device has too many undelivered messages. Try again once it has been online.`,
  delivery: { sending: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Not sent' } satisfies Record<DeliveryState, string>,
  messages: (name: string): string => `Messages with ${name}`,
  ...messageActionTextsEn,
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
  heldMessagesDropped: (name: string, count: number): string =>
    `While ${name}'s safety number was unconfirmed, too many messages came in: the ${count === 1 ? 'oldest one was' : `${count} oldest were`} dropped.`,
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
  scheduleCall: 'Schedule call',
  scheduleCallTitle: 'Schedule a call',
  editCallTitle: 'Edit the scheduled call',
  scheduledCalls: 'Scheduled calls',
  callTitle: 'Title',
  callDescription: 'Description (optional)',
  callStarts: 'Starts',
  callEnds: 'Ends',
  timesInZone: (zone: string): string => `Times are in your time zone, ${zone}.`,
  invitees: (names: string): string => `Invited: ${names}`,
  notifyMe: 'Also remind me with a system notification',
  saveSchedule: 'Schedule',
  saveChanges: 'Save changes',
  saving: 'Saving…',
  scheduleInvalid: 'Give the call a title, and an end after its start (at most a day later).',
  scheduleFailed: 'That did not work. If the call shows below, not everyone was told yet: open Edit and save again.',
  /** A lazily loaded part (the schedule form, the open conversation) did not arrive, or failed its integrity check. */
  partNotLoaded: 'This part of Parley could not be loaded, or was not the code this version was built with. Reload the page.',
  /** A lazily loaded part (the open conversation, the Calls view) on its way. */
  partLoading: 'Loading…',
  scheduledCallLabel: (title: string): string => `Scheduled call: ${title}`,
  organizedBy: (name: string): string => `Organized by ${name}`,
  organizedByYou: 'Organized by you',
  organizerTime: (times: string, zone: string): string => `Organizer’s time: ${times}, ${zone}`,
  join: 'Join',
  joinCall: (title: string): string => `Join “${title}”`,
  joinOpensSoon: 'Join opens 5 minutes before the start.',
  callOver: 'This call is over.',
  callsUnavailable: 'Calls are not available in this browser yet.',
  addToCalendar: 'Add to calendar (.ics)',
  copyLink: 'Copy link',
  linkCopied: 'Link copied',
  editCall: 'Edit',
  cancelCall: 'Cancel call',
  confirmCancel: 'Cancel this call for everyone invited?',
  yesCancel: 'Yes, cancel it',
  keepCall: 'Keep it',
  cancelled: 'Cancelled',
  callCancelled: 'This call was cancelled.',
  reminderLabel: 'Call reminders',
  reminder: (title: string): string => `“${title}” starts now.`,
  notificationBody: 'The scheduled call starts now. Open Parley to join.',
  enableNotifications: 'Remind me with notifications',
};

export type ChatMessages = typeof en;

const ru: ChatMessages = {
  conversations: 'Чаты',
  chats: 'Чаты',
  noMatches: (query) => `Нет чатов по запросу «${query}». Нажмите Enter, чтобы найти пользователя @${query.replace(/^@/, '')}.`,
  backToList: 'Назад к чатам',
  chatOptions: 'Действия с чатом',
  callLinks: 'Ссылки на звонки',
  today: 'Сегодня',
  yesterday: 'Вчера',
  groupNamed: (name) => `${name} (группа)`,
  encryptedHint: 'Сообщения и звонки защищены сквозным шифрованием: никто, кроме участников чата, даже Parley, не может их прочитать или прослушать.',
  welcomeTitle: 'Parley в браузере',
  welcomeHint: 'Выберите чат слева или введите имя пользователя в поиске, чтобы начать новый.',
  emptyListHint: 'Введите имя пользователя друга в поиске выше, чтобы начать первый чат, или создайте группу.',
  voiceCall: 'Аудиозвонок',
  videoCall: 'Видеозвонок',
  noMessages: 'Сообщений пока нет. Сообщения защищены сквозным шифрованием.',
  noConversations: 'Чатов пока нет. Найдите собеседника по имени пользователя.',
  noConversationOpen: 'Выберите чат или найдите собеседника по имени пользователя.',
  inCall: 'Идёт звонок',
  findHandle: 'Поиск чатов или имени пользователя',
  findHandlePlaceholder: 'Поиск или новый чат',
  startChat: 'Начать чат',
  finding: 'Поиск…',
  findFailed: {
    'user-not-found': 'Пользователя с таким именем нет.',
    network: 'Не удалось связаться с сервером. Попробуйте ещё раз.',
    'identity-untrusted': 'Код безопасности собеседника изменился. Сначала примите его.',
    'devices-changed-loop': 'Устройства собеседника постоянно меняются. Попробуйте позже.',
    'rate-limited': 'Слишком много запросов. Подождите немного.',
    invalid: 'Недопустимое имя пользователя.',
    'queue-full': 'Собеседник давно не появлялся, и у него слишком много непрочитанных сообщений. Попробуйте позже.',
  },
  failureUnknown: 'Что-то пошло не так. Попробуйте ещё раз.',
  unread: (count) => `Непрочитанных сообщений: ${count}`,
  you: 'Вы',
  message: 'Сообщение',
  messagePlaceholder: 'Введите сообщение',
  composerHint: 'Enter — отправить, Shift+Enter — новая строка.',
  send: 'Отправить',
  sendFailed: 'Сообщение не удалось отправить.',
  queueFull: (name) => `Не доставлено: на устройстве собеседника (${name}) слишком много недоставленных сообщений. Попробуйте снова, когда оно побывает в сети.`,
  delivery: { sending: 'Отправляется', sent: 'Отправлено', delivered: 'Доставлено', read: 'Прочитано', failed: 'Не отправлено' },
  messages: (name) => `Переписка с ${name}`,
  ...messageActionTextsRu,
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
  heldMessagesDropped: (name, count) => `Пока код безопасности собеседника (${name}) не подтверждён, пришло слишком много сообщений: самые старые (${count}) удалены.`,
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
  scheduleCall: 'Запланировать звонок',
  scheduleCallTitle: 'Запланировать звонок',
  editCallTitle: 'Изменить запланированный звонок',
  scheduledCalls: 'Запланированные звонки',
  callTitle: 'Название',
  callDescription: 'Описание (необязательно)',
  callStarts: 'Начало',
  callEnds: 'Окончание',
  timesInZone: (zone) => `Время указано в вашем часовом поясе: ${zone}.`,
  invitees: (names) => `Приглашены: ${names}`,
  notifyMe: 'Также напомнить системным уведомлением',
  saveSchedule: 'Запланировать',
  saveChanges: 'Сохранить изменения',
  saving: 'Сохранение…',
  scheduleInvalid: 'Укажите название, а окончание — позже начала (не более чем через сутки).',
  scheduleFailed: 'Не получилось. Если звонок виден ниже, не все приглашённые о нём узнали: нажмите «Изменить» и сохраните ещё раз.',
  partNotLoaded: 'Эта часть Parley не загрузилась или не совпала с кодом, с которым собрана эта версия. Перезагрузите страницу.',
  partLoading: 'Загрузка…',
  scheduledCallLabel: (title) => `Запланированный звонок: ${title}`,
  organizedBy: (name) => `Организатор: ${name}`,
  organizedByYou: 'Организатор: вы',
  organizerTime: (times, zone) => `Время организатора: ${times}, ${zone}`,
  join: 'Присоединиться',
  joinCall: (title) => `Присоединиться к звонку «${title}»`,
  joinOpensSoon: 'Присоединиться можно за 5 минут до начала.',
  callOver: 'Звонок уже закончился.',
  callsUnavailable: 'Звонки в этом браузере пока недоступны.',
  addToCalendar: 'Добавить в календарь (.ics)',
  copyLink: 'Скопировать ссылку',
  linkCopied: 'Ссылка скопирована',
  editCall: 'Изменить',
  cancelCall: 'Отменить звонок',
  confirmCancel: 'Отменить этот звонок для всех приглашённых?',
  yesCancel: 'Да, отменить',
  keepCall: 'Оставить',
  cancelled: 'Отменён',
  callCancelled: 'Этот звонок отменён.',
  reminderLabel: 'Напоминания о звонках',
  reminder: (title) => `«${title}» начинается сейчас.`,
  notificationBody: 'Запланированный звонок начинается. Откройте Parley, чтобы присоединиться.',
  enableNotifications: 'Напоминать уведомлениями',
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

/**
 * What the chat says about a failed lookup: its code's text, the network text when it carries no
 * code (no answer came), the generic text for a code it does not know. Never the raw code.
 */
export function findFailureText(t: ChatMessages, error: unknown): string {
  const code = errorCodeOf(error);
  return code === undefined ? t.findFailed.network : textForCode(t.findFailed, code, t.failureUnknown);
}
