import type { RemoteProps } from '@parley/contracts';
import { Show } from 'solid-js';
import type { CallStore } from './call-store.js';
import { messagesFor } from './messages.js';

/** The call panel: nothing while idle, the outgoing call while one is on. */
export function CallPanel(props: { store: CallStore; remote: RemoteProps }) {
  const t = () => messagesFor(props.remote.locale);
  const call = () => props.store.state.call;
  return (
    <section class="call-app" data-testid="call-app" aria-label="Call">
      <p class="call-app__identity" data-testid="call-identity">
        {t().signedInAs(props.remote.session.displayName)}
      </p>
      <Show when={call().phase !== 'idle'}>
        <div class="call-panel" role="dialog" data-testid="call-panel" data-phase={call().phase}>
          <p class="call-panel__title">
            {call().phase === 'ended' ? t().callEnded : t().calling(call().peer?.displayName ?? '')}
          </p>
          <p class="call-panel__media">{call().media === 'video' ? t().videoCall : t().voiceCall}</p>
          <Show
            when={call().phase !== 'ended'}
            fallback={<button type="button" onClick={() => props.store.dismiss()}>OK</button>}
          >
            <button type="button" class="call-panel__hangup" onClick={() => props.store.hangUp()}>
              {t().hangUp}
            </button>
          </Show>
        </div>
      </Show>
    </section>
  );
}
