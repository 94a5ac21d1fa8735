import type { CallPresentationMode, RemoteProps } from '@parley/contracts';
import PhoneOff from 'lucide-solid/icons/phone-off';
import type { Observable } from 'rxjs';
import { Match, Show, Switch, createEffect, createMemo, createSignal, from, onCleanup } from 'solid-js';
import type { CallStore } from './call-store.js';
import type { GroupCallStore } from './group/group-call-store.js';
import type { RtcGroupMedia } from './group/group-media.js';
import type { RtcCallMedia } from './media/call-media.js';
import { formatElapsed, messagesFor } from './messages.js';
import type { CallLinksStore } from './links/call-links-store.js';
import { Avatar } from './ui/Avatar.js';
import { CallLinksPanel } from './ui/CallLinksPanel.js';
import { EndedSummary } from './ui/EndedSummary.js';
import { GroupCallPanel } from './ui/GroupCallView.js';
import { InCall } from './ui/InCall.js';
import { IncomingCallDialog } from './ui/IncomingCallDialog.js';
import { RoundButton } from './ui/controls.js';
import { presentationMode } from './ui/presentation.js';

/** Props of the call panel: the stores, the remote's props, and how it lays itself out. */
export interface CallPanelProps {
  readonly store: CallStore<RtcCallMedia>;
  readonly groups?: GroupCallStore<RtcGroupMedia>;
  readonly links?: CallLinksStore | null;
  readonly remote: RemoteProps;
  /**
   * Dialogs (incoming call, share warning) in the top layer with the rest of the page inert. Default
   * true; false only where two call apps share one page (the call lab), so one's ring leaves the other usable.
   */
  readonly modal?: boolean;
  /** Asks to show the call-links dialog (`call.links-requested`, from the chat's menus). */
  readonly linksRequests?: Observable<unknown>;
  /** Told what the app needs of the page (`call.presentation`) whenever that changes. */
  readonly onPresentation?: (mode: CallPresentationMode) => void;
}

/**
 * The call app's screens: the incoming-call dialog, the call stage (outgoing, connecting, in call,
 * its summary) or its floating bar, the group call, and the call-links dialog when asked for.
 */
export function CallPanel(props: CallPanelProps) {
  const t = () => messagesFor(props.remote.locale);
  const modal = () => props.modal ?? true;
  const call = () => props.store.state.call;
  const snapshot = () => props.store.state.snapshot;
  const peerName = () => call().peer?.displayName ?? '';
  const [minimised, setMinimised] = createSignal(false);
  const groupOnScreen = () => !!(props.groups?.state.snapshot ?? props.groups?.state.failure);
  const groupRunning = () => {
    const phase = props.groups?.state.snapshot?.phase;
    return phase !== undefined && phase !== 'ended';
  };
  const oneToOneRunning = () => ['outgoing', 'connecting', 'active'].includes(call().phase);
  // A call that ended comes back to full size for its summary; a new one starts full size.
  createEffect(() => {
    if (!oneToOneRunning() && !groupRunning()) setMinimised(false);
  });
  const [linksOpen, setLinksOpen] = createSignal(false);
  const linksShown = () => linksOpen() && !!props.groups && !!props.links;
  if (props.linksRequests) {
    const requests = props.linksRequests.subscribe(() => setLinksOpen(true));
    onCleanup(() => requests.unsubscribe());
  }
  const mode = createMemo(() =>
    presentationMode({
      oneToOne: call().phase,
      groupOnScreen: groupOnScreen(),
      groupRinging: !!props.groups?.state.incoming,
      minimised: minimised(),
      linksOpen: linksShown(),
    }),
  );
  createEffect(() => props.onPresentation?.(mode()));

  // A pasted link or the Join of a listed one: the secret is what follows '#'. The dialog gives way
  // to the call it opens.
  const openLink = (link: string) => {
    setLinksOpen(false);
    void props.groups?.openLink(link.includes('#') ? link.slice(link.indexOf('#') + 1) : link);
  };
  const title = () => {
    switch (call().phase) {
      case 'outgoing':
        return t().calling(peerName());
      case 'incoming':
        return t().incoming(peerName());
      case 'connecting':
        return t().connecting(peerName());
      case 'active':
        return t().inCallWith(peerName());
      default:
        return endedTitle();
    }
  };
  const endedTitle = () => {
    const outcome = snapshot().outcome;
    if (snapshot().role === 'callee') {
      if (outcome === 'missed') return t().missedIncoming(peerName());
      // The decliner is this user: "Alice declined" would name the caller.
      if (outcome === 'declined') return t().youDeclined;
    }
    return outcome ? t().outcome(outcome, peerName()) : t().callEnded;
  };

  return (
    <section class="call-app" data-testid="call-app" data-presentation={mode()} aria-label={t().region}>
      <Show when={call().phase !== 'idle'}>
        <div
          class="call-panel"
          classList={{ 'call-panel--stage': call().phase !== 'incoming', 'call-panel--minimised': minimised() }}
          role="region"
          aria-label={call().media === 'video' ? t().videoCall : t().voiceCall}
          data-testid="call-panel"
          data-phase={call().phase}
          data-outcome={snapshot().outcome ?? undefined}
        >
          <Switch>
            <Match when={call().phase === 'incoming'}>
              <IncomingCallDialog
                callerId={call().peer?.userId ?? ''}
                callerName={peerName()}
                title={title()}
                kind={call().media ?? 'audio'}
                kindLabel={call().media === 'video' ? t().videoCall : t().voiceCall}
                acceptLabel={t().accept}
                declineLabel={t().decline}
                shortcuts={t().incomingShortcuts}
                onAccept={() => props.store.accept()}
                onDecline={() => props.store.decline()}
                modal={modal()}
                testId="call-incoming"
              />
            </Match>
            <Match when={call().phase === 'ended'}>
              <div class="call-stage call-stage--summary">
                <div class="call-stage__person">
                  <Avatar accountId={call().peer?.userId ?? ''} name={peerName()} />
                  <EndedSummary okLabel={t().ok} note={t().closesSoon} onClose={() => props.store.dismiss()}>
                    <h2 class="call-stage__name" data-testid="call-title">
                      {title()}
                    </h2>
                    <Show when={snapshot().answeredAt !== null && snapshot().endedAt !== null}>
                      <p data-testid="call-duration">{formatElapsed(snapshot().endedAt! - snapshot().answeredAt!)}</p>
                    </Show>
                  </EndedSummary>
                </div>
              </div>
            </Match>
            <Match when={true}>
              <Show when={props.store.state.media} keyed fallback={<CallSetUp title={title()} peerId={call().peer?.userId ?? ''} peerName={peerName()} hangUp={() => props.store.hangUp()} hangUpLabel={t().hangUp} />}>
                {(session) => {
                  // The in-call view (previews, device lists, meters, the <audio> playing the peer)
                  // once the microphone and camera are open: building it while they open slowed
                  // opening them, which the first audio and video of the call wait for (a playing
                  // <audio> opens an audio output in the same browser service as the microphone).
                  // Until then the stage says where the call is and Hang up is there; if they cannot
                  // open, the call ends. Connected while a permission prompt still holds them: the
                  // view comes anyway, so the peer is heard.
                  const local = from(session.localStream$);
                  return (
                    <Show
                      when={local() || call().phase === 'active'}
                      fallback={<CallSetUp title={title()} peerId={call().peer?.userId ?? ''} peerName={peerName()} hangUp={() => props.store.hangUp()} hangUpLabel={t().hangUp} />}
                    >
                      <InCall
                        session={session}
                        peer={call().peer!}
                        media={call().media ?? 'audio'}
                        active={call().phase === 'active'}
                        answeredAt={snapshot().answeredAt}
                        reconnecting={snapshot().reconnecting}
                        peerMedia={snapshot().peerMedia}
                        reportMedia={props.store.setLocalMediaState}
                        now={props.store.now}
                        t={t()}
                        title={title()}
                        hangUp={() => props.store.hangUp()}
                        minimised={minimised()}
                        minimise={() => setMinimised(true)}
                        restore={() => setMinimised(false)}
                        modal={modal()}
                        {...(props.groups?.canAddPerson() ? { addPerson: props.groups.addPerson } : {})}
                      />
                    </Show>
                  );
                }}
              </Show>
            </Match>
          </Switch>
        </div>
      </Show>
      <Show when={props.groups}>
        {(groups) => <GroupCallPanel store={groups()} t={t()} modal={modal()} minimised={minimised()} setMinimised={setMinimised} />}
      </Show>
      <Show when={linksShown() && props.links}>
        {(links) => <CallLinksPanel store={links()} open={openLink} onClose={() => setLinksOpen(false)} modal={modal()} locale={props.remote.locale} t={t()} />}
      </Show>
    </section>
  );
}

/** The stage while the call is set up (devices opening, ringing the peer): who, where, and Hang up. */
function CallSetUp(props: { title: string; peerId: string; peerName: string; hangUp: () => void; hangUpLabel: string }) {
  return (
    <div class="call-stage">
      <div class="call-stage__main">
        <div class="call-stage__person">
          <Avatar accountId={props.peerId} name={props.peerName} />
          <h2 class="call-stage__name" data-testid="call-title">
            {props.title}
          </h2>
        </div>
      </div>
      <div class="call-bar" role="toolbar" aria-label={props.hangUpLabel}>
        <RoundButton label={props.hangUpLabel} tone="danger" icon={<PhoneOff aria-hidden="true" />} onClick={props.hangUp} />
      </div>
    </div>
  );
}
