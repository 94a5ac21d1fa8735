import type { CallOutcome } from '@parley/contracts';

/** User-facing text of the call app, per language. */
const en = {
  region: 'Call',
  calling: (name: string) => `Calling ${name}…`,
  incoming: (name: string) => `${name} is calling`,
  connecting: (name: string) => `Connecting to ${name}…`,
  inCallWith: (name: string) => `In call with ${name}`,
  reconnecting: 'Reconnecting…',
  voiceCall: 'Voice call',
  videoCall: 'Video call',
  accept: 'Accept',
  decline: 'Decline',
  hangUp: 'Hang up',
  mute: 'Mute',
  camera: 'Camera',
  shareScreen: 'Share screen',
  stopSharing: 'Stop sharing',
  shareWarningTitle: 'Share your screen?',
  shareWarning: (name: string) =>
    `${name} will see everything on the screen you share, including private information such as messages, passwords and notifications.`,
  shareConfirm: 'Share',
  cancel: 'Cancel',
  sharing: 'You are sharing your screen',
  microphone: 'Microphone',
  cameraDevice: 'Camera device',
  speaker: 'Speaker',
  deviceDefault: 'Default',
  localPreview: 'Your camera',
  remoteVideo: (name: string) => `${name}'s video`,
  audioLevel: (name: string) => `${name}'s audio level`,
  elapsed: 'Call duration',
  quality: (bars: number) => ['No connection data', 'Poor connection', 'Weak connection', 'Good connection', 'Excellent connection'][bars] ?? '',
  stats: 'Statistics',
  statsBitrateIn: 'Incoming bitrate',
  statsBitrateOut: 'Outgoing bitrate',
  statsLoss: 'Packet loss',
  statsRtt: 'Round-trip time',
  statsResolution: 'Received resolution',
  statsFrames: 'Frames decoded',
  statsDecryptDrops: 'Undecryptable frames',
  statsRoute: 'Route',
  route: { direct: 'Direct', relay: 'Relayed (TURN)' } as Record<'direct' | 'relay', string>,
  cantDecrypt: (name: string) => `Can't decrypt media from ${name}. Their audio and video are dropped.`,
  callEnded: 'Call ended',
  outcome: (outcome: CallOutcome, name: string) =>
    ({
      'hung-up': 'Call ended',
      declined: `${name} declined the call`,
      busy: `${name} is busy`,
      missed: 'No answer',
      cancelled: 'Call cancelled',
      'answered-elsewhere': 'Answered on another device',
      failed: 'The call could not connect',
    })[outcome],
  missedIncoming: (name: string) => `Missed call from ${name}`,
  ok: 'OK',
  signedInAs: (name: string) => `Signed in as ${name}`,
};

export type CallMessages = typeof en;

const ru: CallMessages = {
  region: 'Звонок',
  calling: (name) => `Звоним: ${name}…`,
  incoming: (name) => `Вам звонит ${name}`,
  connecting: (name) => `Соединяемся: ${name}…`,
  inCallWith: (name) => `Разговор: ${name}`,
  reconnecting: 'Переподключение…',
  voiceCall: 'Аудиозвонок',
  videoCall: 'Видеозвонок',
  accept: 'Принять',
  decline: 'Отклонить',
  hangUp: 'Завершить',
  mute: 'Выключить микрофон',
  camera: 'Камера',
  shareScreen: 'Показать экран',
  stopSharing: 'Остановить показ',
  shareWarningTitle: 'Показать экран?',
  shareWarning: (name) =>
    `${name} увидит всё, что есть на показываемом экране, включая личные данные: сообщения, пароли и уведомления.`,
  shareConfirm: 'Показать',
  cancel: 'Отмена',
  sharing: 'Вы показываете экран',
  microphone: 'Микрофон',
  cameraDevice: 'Устройство камеры',
  speaker: 'Динамик',
  deviceDefault: 'По умолчанию',
  localPreview: 'Ваша камера',
  remoteVideo: (name) => `Видео: ${name}`,
  audioLevel: (name) => `Громкость: ${name}`,
  elapsed: 'Длительность звонка',
  quality: (bars) => ['Нет данных о связи', 'Плохая связь', 'Слабая связь', 'Хорошая связь', 'Отличная связь'][bars] ?? '',
  stats: 'Статистика',
  statsBitrateIn: 'Входящий битрейт',
  statsBitrateOut: 'Исходящий битрейт',
  statsLoss: 'Потери пакетов',
  statsRtt: 'Задержка (RTT)',
  statsResolution: 'Принимаемое разрешение',
  statsFrames: 'Декодировано кадров',
  statsDecryptDrops: 'Нерасшифрованные кадры',
  statsRoute: 'Маршрут',
  route: { direct: 'Напрямую', relay: 'Через ретранслятор (TURN)' },
  cantDecrypt: (name) => `Не удаётся расшифровать медиа от собеседника ${name}. Его звук и видео отбрасываются.`,
  callEnded: 'Звонок завершён',
  outcome: (outcome, name) =>
    ({
      'hung-up': 'Звонок завершён',
      declined: `${name} отклонил(а) звонок`,
      busy: `${name} занят(а)`,
      missed: 'Нет ответа',
      cancelled: 'Звонок отменён',
      'answered-elsewhere': 'Принят на другом устройстве',
      failed: 'Не удалось соединиться',
    })[outcome],
  missedIncoming: (name) => `Пропущенный звонок: ${name}`,
  ok: 'ОК',
  signedInAs: (name) => `Вы вошли как ${name}`,
};

/** Messages for a BCP 47 locale, English when the language is not translated. */
export function messagesFor(locale: string): CallMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}

/** Elapsed time as m:ss or h:mm:ss. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
