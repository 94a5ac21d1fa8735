import type { WorkerIntegrityErrorCode } from '../media/worker-integrity.js';
import { messagesFor } from '../messages.js';

/** What the call app shows instead of itself when its encryption worker's code did not check out. */
export function WorkerIntegrityNotice(props: { code: WorkerIntegrityErrorCode; locale: string }) {
  const t = () => messagesFor(props.locale);
  return (
    <section class="call-app" data-testid="call-app" aria-label={t().region}>
      <p role="alert">{t().workerIntegrity(props.code)}</p>
    </section>
  );
}
