import type { RemoteProps } from '@parley/contracts';
import { Match, Show, Switch, from, onCleanup, onMount } from 'solid-js';
import type { CallStore } from './call-store.js';
import type { GroupCallStore } from './group/group-call-store.js';
import type { RtcGroupMedia } from './group/group-media.js';
import type { RtcCallMedia } from './media/call-media.js';
import { formatElapsed, messagesFor } from './messages.js';
import type { CallLinksStore } from './links/call-links-store.js';
import { CallLinksPanel } from './ui/CallLinksPanel.js';
import { GroupCallPanel } from './ui/GroupCallView.js';
import { InCall } from './ui/InCall.js';
import { startRingtone } from './ui/ringtone.js';

/** The call panel: nothing while idle; the outgoing, incoming, in-call or ended screen otherwise. */
export function CallPanel(props: { store: CallStore<RtcCallMedia>; groups?: GroupCallStore<RtcGroupMedia>; links?: CallLinksStore | null; remote: RemoteProps }) {
  const t = () => messagesFor(props.remote.locale);
  const call = () => props.store.state.call;
  const snapshot = () => props.store.state.snapshot;
  const peerName = () => call().peer?.displayName ?? '';
  // A pasted link or the Join of a listed one: the secret is what follows '#'.
  const openLink = (link: string) => void props.groups?.openLink(link.includes('#') ? link.slice(link.indexOf('#') + 1) : link);
  return (
    <section class="call-app" data-testid="call-app" aria-label={t().region}>
      <p class="call-app__identity" data-testid="call-identity">
        {t().signedInAs(props.remote.session.displayName)}
      </p>
      <Show when={call().phase !== 'idle'}>
        <div class="call-panel" role="dialog" aria-label={call().media === 'video' ? t().videoCall : t().voiceCall} data-testid="call-panel" data-phase={call().phase} data-outcome={snapshot().outcome ?? undefined}>
          <p class="call-panel__title" data-testid="call-title">
            <Switch>
              <Match when={call().phase === 'outgoing'}>{t().calling(peerName())}</Match>
              <Match when={call().phase === 'incoming'}>{t().incoming(peerName())}</Match>
              <Match when={call().phase === 'connecting'}>{t().connecting(peerName())}</Match>
              <Match when={call().phase === 'active'}>{t().inCallWith(peerName())}</Match>
              <Match when={call().phase === 'ended'}>
                {snapshot().outcome === 'missed' && snapshot().role === 'callee'
                  ? t().missedIncoming(peerName())
                  : snapshot().outcome
                    ? t().outcome(snapshot().outcome!, peerName())
                    : t().callEnded}
              </Match>
            </Switch>
          </p>
          <p class="call-panel__media">{call().media === 'video' ? t().videoCall : t().voiceCall}</p>
          <Switch>
            <Match when={call().phase === 'incoming'}>
              <IncomingControls accept={() => props.store.accept()} decline={() => props.store.decline()} acceptLabel={t().accept} declineLabel={t().decline} />
            </Match>
            <Match when={call().phase === 'ended'}>
              <Show when={snapshot().answeredAt !== null && snapshot().endedAt !== null}>
                <p data-testid="call-duration">{formatElapsed(snapshot().endedAt! - snapshot().answeredAt!)}</p>
              </Show>
              <button type="button" onClick={() => props.store.dismiss()}>
                {t().ok}
              </button>
            </Match>
            <Match when={true}>
              <Show when={props.store.state.media} keyed>
                {(session) => {
                  // The in-call view (previews, device lists, meters, the <audio> playing the peer)
                  // once the microphone and camera are open: building it while they open slowed
                  // opening them, which the first audio and video of the call wait for (a playing
                  // <audio> opens an audio output in the same browser service as the microphone).
                  // Until then the title says where the call is and Hang up is there; if they cannot
                  // open, the call ends. Connected while a permission prompt still holds them: the
                  // view comes anyway, so the peer is heard.
                  const local = from(session.localStream$);
                  return (
                    <Show when={local() || call().phase === 'active'}>
                      <InCall
                        session={session}
                        peer={call().peer!}
                        media={call().media ?? 'audio'}
                        active={call().phase === 'active'}
                        answeredAt={snapshot().answeredAt}
                        reconnecting={snapshot().reconnecting}
                        now={props.store.now}
                        t={t()}
                        {...(props.groups?.canAddPerson() ? { addPerson: props.groups.addPerson } : {})}
                      />
                    </Show>
                  );
                }}
              </Show>
              <button type="button" class="call-panel__hangup" onClick={() => props.store.hangUp()}>
                {t().hangUp}
              </button>
            </Match>
          </Switch>
        </div>
      </Show>
      <Show when={props.groups}>{(groups) => <GroupCallPanel store={groups()} t={t()} />}</Show>
      <Show when={props.groups && props.links}>
        {(links) => <CallLinksPanel store={links() as CallLinksStore} open={(link) => openLink(link)} locale={props.remote.locale} t={t()} />}
      </Show>
    </section>
  );
}

/** Accept and Decline, with the ringtone playing while they are shown; Accept takes the focus. */
function IncomingControls(props: { accept: () => void; decline: () => void; acceptLabel: string; declineLabel: string }) {
  let accept!: HTMLButtonElement;
  // Focused with the next frame rather than at once: focusing forces a layout in the task that
  // handles the incoming offer, which answering quickly needs more (it is painted then anyway).
  let frame = 0;
  onMount(() => {
    frame = requestAnimationFrame(() => accept.focus());
  });
  onCleanup(() => cancelAnimationFrame(frame));
  onCleanup(startRingtone());
  return (
    <div class="call-incoming" role="group">
      <button type="button" ref={accept} class="call-panel__accept" onClick={() => props.accept()}>
        {props.acceptLabel}
      </button>
      <button type="button" class="call-panel__decline" onClick={() => props.decline()}>
        {props.declineLabel}
      </button>
    </div>
  );
}
