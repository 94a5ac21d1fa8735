import { describe, expect, it } from 'vitest';
import { attachmentMessagesFor, formatFileSize, uploadFailureText } from './attachment-messages.js';
import { downloadFailureText } from './AttachmentView.js';
import { peaksOf } from './waveform.js';

describe('attachment texts', () => {
  const en = attachmentMessagesFor('en-US');
  const ru = attachmentMessagesFor('ru-RU');

  it('exist in English and Russian, with the attach button named in both', () => {
    expect(en.attachFile).toBe('Attach file');
    expect(ru.attachFile).toBe('Прикрепить файл');
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it('say why an upload was refused, and never show a code', () => {
    expect(uploadFailureText(en, { code: 'blob_quota_exceeded' })).toMatch(/space for attachments is full/);
    expect(uploadFailureText(ru, { code: 'blob_too_large' })).toMatch(/до 100 МБ/);
    for (const failure of [{ code: 'internal' }, new Error('x'), null]) expect(uploadFailureText(en, failure)).toBe(en.uploadFailedOther);
  });

  it('tell a blob changed on the server from one that is gone or unreachable', () => {
    for (const code of ['digest-mismatch', 'mac-mismatch', 'truncated']) expect(downloadFailureText(en, { code })).toBe('This file was changed on the server and was not opened.');
    expect(downloadFailureText(ru, { code: 'digest-mismatch' })).toBe('Этот файл был изменён на сервере и не был открыт.');
    expect(downloadFailureText(en, { code: 'not_found' })).toBe(en.expired);
    expect(downloadFailureText(en, { code: 'network' })).toBe(en.downloadFailed);
  });

  it('write sizes as people read them', () => {
    expect(formatFileSize(820, 'en-US')).toBe('820 B');
    expect(formatFileSize(14_200, 'en-US')).toBe('14 KB');
    expect(formatFileSize(3_200_000, 'en-US')).toBe('3.2 MB');
    expect(formatFileSize(3_200_000, 'ru-RU')).toBe('3,2 МБ');
  });
});

describe('a voice message waveform', () => {
  it('is the peak of each slice, the loudest at 255', () => {
    const samples = new Float32Array([0, 0.1, -0.5, 0.2, 0.25, 0, -0.05, 0.05]);
    expect(peaksOf(samples, 4)).toEqual([51, 255, 128, 26]);
  });

  it('is flat for silence, without dividing by zero', () => {
    expect(peaksOf(new Float32Array(16), 4)).toEqual([0, 0, 0, 0]);
  });
});
