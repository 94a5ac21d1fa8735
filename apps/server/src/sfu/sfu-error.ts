/**
 * Why an SFU request was refused, as a value: the code goes on the wire (`sfu-result`), the message
 * says what was wrong in words a developer can act on.
 */
import type { SfuErrorCode } from '@parley/contracts';

export class SfuError extends Error {
  constructor(
    readonly code: SfuErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The code and message Janus answered with, when janode rejected with one (`_code`). */
export function janusRefusal(error: unknown): SfuError {
  if (error instanceof SfuError) return error;
  const janusCode = (error as { _code?: unknown })._code;
  const message = (error as Error).message ?? String(error);
  return new SfuError('sfu_error', typeof janusCode === 'number' ? `Janus refused: ${message}` : `Janus failed: ${message}`);
}
