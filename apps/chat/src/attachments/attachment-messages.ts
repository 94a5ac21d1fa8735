/**
 * What the chat says about attachments (issue 18), in English and Russian: its own file beside
 * messages.ts, so the chat's other texts and these change apart.
 */
import { type CodesOf, type ApiErrorCode, textForCode, errorCodeOf } from '@parley/contracts';

type UploadRefusal = CodesOf<ApiErrorCode, 'blob_quota_exceeded' | 'blob_too_large' | 'rate_limited'>;

const en = {
  attachFile: 'Attach file',
  uploading: (name: string) => `Sending ${name}`,
  downloading: (name: string) => `Downloading ${name}`,
  download: (name: string) => `Download ${name}`,
  openPhoto: (name: string) => `Open photo ${name}`,
  photoViewer: (name: string) => `Photo ${name}`,
  playVideo: (name: string) => `Play video ${name}`,
  video: (name: string) => `Video ${name}`,
  closeViewer: 'Close',
  uploadFailed: {
    blob_quota_exceeded: 'Your space for attachments is full. Files are removed 30 days after anyone last opened them.',
    blob_too_large: 'This file is too large: files can be up to 100 MB.',
    rate_limited: 'Too many files at once. Wait a moment and try again.',
  } satisfies Record<UploadRefusal, string>,
  uploadFailedOther: 'The file could not be sent.',
  tampered: 'This file was changed on the server and was not opened.',
  expired: 'This file is no longer on the server.',
  downloadFailed: 'The file could not be downloaded.',
  droppedFiles: 'Drop files here to send them',
  recordVoice: 'Record voice message',
  stopRecording: 'Stop recording and send',
  recording: 'Recording',
  voiceMessage: 'Voice message',
  photo: 'Photo',
  play: 'Play',
  pause: 'Pause',
  seek: 'Position',
  microphoneRefused: 'The microphone is not available, so nothing was recorded.',
};

const ru: typeof en = {
  attachFile: 'Прикрепить файл',
  uploading: (name) => `Отправка: ${name}`,
  downloading: (name) => `Загрузка: ${name}`,
  download: (name) => `Скачать ${name}`,
  openPhoto: (name) => `Открыть фото ${name}`,
  photoViewer: (name) => `Фото ${name}`,
  playVideo: (name) => `Смотреть видео ${name}`,
  video: (name) => `Видео ${name}`,
  closeViewer: 'Закрыть',
  uploadFailed: {
    blob_quota_exceeded: 'Место для вложений закончилось. Файлы удаляются через 30 дней после того, как их открывали в последний раз.',
    blob_too_large: 'Файл слишком большой: можно отправлять файлы до 100 МБ.',
    rate_limited: 'Слишком много файлов сразу. Подождите немного и попробуйте снова.',
  },
  uploadFailedOther: 'Файл не удалось отправить.',
  tampered: 'Этот файл был изменён на сервере и не был открыт.',
  expired: 'Этого файла больше нет на сервере.',
  downloadFailed: 'Файл не удалось скачать.',
  droppedFiles: 'Перетащите файлы сюда, чтобы отправить',
  recordVoice: 'Записать голосовое сообщение',
  stopRecording: 'Остановить запись и отправить',
  recording: 'Идёт запись',
  voiceMessage: 'Голосовое сообщение',
  photo: 'Фото',
  play: 'Воспроизвести',
  pause: 'Пауза',
  seek: 'Позиция',
  microphoneRefused: 'Микрофон недоступен, поэтому ничего не записано.',
};

export type AttachmentMessages = typeof en;

/** The attachment texts for a BCP 47 locale, English when the language is not translated. */
export function attachmentMessagesFor(locale: string): AttachmentMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}

/** What the chat says about a failed upload: the server's reason when it gave one, never its code. */
export function uploadFailureText(t: AttachmentMessages, error: unknown): string {
  return textForCode(t.uploadFailed, errorCodeOf(error), t.uploadFailedOther);
}

/** A file size as people read it: "820 B", "14 KB", "3.2 MB", in the locale's digits. */
export function formatFileSize(bytes: number, locale: string): string {
  const units = locale.toLowerCase().startsWith('ru') ? ['Б', 'КБ', 'МБ', 'ГБ'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
