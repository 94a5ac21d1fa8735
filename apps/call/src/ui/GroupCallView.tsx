import { For, Show, createEffect, createMemo, createSignal, from, onCleanup, onMount } from 'solid-js';
import type { GroupCallStore } from '../group/group-call-store.js';
import type { GroupParticipantView } from '@parley/call-engine';
import { GROUP_REACTIONS } from '@parley/contracts';
import type { RtcGroupMedia } from '../group/group-media.js';
import { type CallMessages, formatElapsed } from '../messages.js';
import { StreamAudio, StreamVideo } from './media-views.js';
import { startRingtone } from './ringtone.js';

/** Thumbnails per page; beyond it, pages. */
export const TILES_PER_PAGE = 9;

/** The group call screens: the incoming ring, the call (spotlight + thumbnails), its end. */
export function GroupCallPanel(props: { store: GroupCallStore<RtcGroupMedia>; t: CallMessages }) {
  const t = () => props.t;
  const state = props.store.state;
  return (
    <>
      <Show when={state.incoming}>
        {(incoming) => (
          <div class="call-panel" role="dialog" aria-label={t().groupCall(incoming().ring.groupName)} data-testid="group-call-incoming">
            <p data-testid="group-call-incoming-title">{t().groupIncoming(incoming().ring.callerName, incoming().ring.groupName)}</p>
            <GroupRingControls join={() => props.store.join()} decline={() => props.store.decline()} t={t()} />
          </div>
        )}
      </Show>
      <Show when={state.snapshot ?? (state.failure ? true : null)}>
        <div class="call-panel group-call" role="dialog" aria-label={t().groupCall(state.ring?.groupName ?? '')} data-testid="group-call" data-phase={state.snapshot?.phase ?? 'ended'}>
          <p class="call-panel__title" data-testid="group-call-title">
            {t().groupCall(state.ring?.groupName || t().callLink)}
          </p>
          <Show when={state.failure ?? state.snapshot?.error}>
            {(why) => (
              <p role="alert" data-testid="group-call-error" data-code={why()}>
                {t().linkFailure(why())}
              </p>
            )}
          </Show>
          <Show when={state.snapshot?.phase === 'joining'}>
            <p>{t().joiningGroup}</p>
          </Show>
          <Show when={state.snapshot?.phase === 'waiting'}>
            <p role="status" data-testid="group-call-waiting">
              {t().waitingForAdmission(state.ring?.callerName ?? '')}
            </p>
          </Show>
          <Show when={(state.snapshot?.joinRequests.length ?? 0) > 0}>
            <section aria-label={t().joinRequests} data-testid="group-call-join-requests">
              <p>{t().joinRequests}</p>
              <ul>
                <For each={state.snapshot?.joinRequests ?? []}>
                  {(request) => (
                    <li data-testid="group-call-join-request">
                      {request.displayName}
                      {request.guest ? ` (${t().guestBadge})` : ''}{' '}
                      <button type="button" onClick={() => props.store.admit(request.requestId, true)}>
                        {t().admit(request.displayName)}
                      </button>{' '}
                      <button type="button" onClick={() => props.store.admit(request.requestId, false)}>
                        {t().refuse(request.displayName)}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </section>
          </Show>
          <Show when={state.snapshot?.phase === 'rejoining'}>
            <p role="status" data-testid="group-call-rejoining">{t().rejoining}</p>
          </Show>
          <Show when={state.media} keyed>
            {(media) => <GroupCallStage media={media} store={props.store} t={t()} />}
          </Show>
          <Show
            when={state.snapshot && state.snapshot.phase !== 'ended'}
            fallback={
              <button type="button" onClick={() => props.store.dismiss()}>
                {t().ok}
              </button>
            }
          >
            <button type="button" class="call-panel__hangup" onClick={() => props.store.leave()}>
              {t().leave}
            </button>
          </Show>
        </div>
      </Show>
    </>
  );
}

function GroupRingControls(props: { join: () => void; decline: () => void; t: CallMessages }) {
  let join!: HTMLButtonElement;
  onMount(() => join.focus());
  onCleanup(startRingtone());
  return (
    <div class="call-incoming" role="group">
      <button type="button" ref={join} class="call-panel__accept" onClick={() => props.join()}>
        {props.t.join}
      </button>
      <button type="button" class="call-panel__decline" onClick={() => props.decline()}>
        {props.t.decline}
      </button>
    </div>
  );
}

/**
 * The call itself: one participant in the spotlight (pinned, else whoever talks, else the first
 * other), everyone else as thumbnails, paged by TILES_PER_PAGE. Thumbnails are received on the
 * lowest simulcast layer and the spotlight on the highest, so the downlink and decoding cost grow
 * slowly with the number of participants.
 */
function GroupCallStage(props: { media: RtcGroupMedia; store: GroupCallStore<RtcGroupMedia>; t: CallMessages }) {
  const media = props.media;
  const streams = from(media.participantStreams$);
  const localStream = from(media.localStream$);
  const decryption = from(media.decryption$);
  const muted = from(media.muted$);
  const cameraOn = from(media.cameraOn$);
  const [pinned, setPinned] = createSignal<number | null>(null);
  const [page, setPage] = createSignal(0);
  const [now, setNow] = createSignal(props.store.now());
  const ticker = setInterval(() => setNow(props.store.now()), 500);
  onCleanup(() => clearInterval(ticker));

  const snapshot = () => props.store.state.snapshot;
  const participants = () => snapshot()?.participants ?? [];
  const self = () => participants().find((p) => p.self);
  const others = createMemo(() => participants().filter((p) => !p.self));
  const spotlight = createMemo<GroupParticipantView | null>(() => {
    const list = others();
    return list.find((p) => p.index === pinned()) ?? list.find((p) => p.talking) ?? list[0] ?? null;
  });
  const thumbnails = createMemo(() => others().filter((p) => p.index !== spotlight()?.index));
  const pages = createMemo(() => Math.max(1, Math.ceil(thumbnails().length / TILES_PER_PAGE)));
  const visibleThumbnails = createMemo(() => thumbnails().slice(Math.min(page(), pages() - 1) * TILES_PER_PAGE, (Math.min(page(), pages() - 1) + 1) * TILES_PER_PAGE));
  const nameOf = (p: GroupParticipantView) => (p.self ? props.t.you : (props.store.state.names.get(p.userId) ?? p.displayName ?? p.userId));

  // Layers: spotlight high, thumbnails on this page low, everyone else's video not forwarded at all.
  createEffect(() => {
    const call = props.store.state.call;
    if (!call) return;
    const main = spotlight();
    const shown = new Set(visibleThumbnails().map((p) => p.index));
    if (main) call.chooseLayer(main.index, 2);
    for (const p of others()) if (p.index !== main?.index) call.chooseLayer(p.index, shown.has(p.index) ? 0 : null);
  });

  const failing = createMemo(() => others().filter((p) => decryption()?.get(p.index)?.failing));

  return (
    <div class="group-call__stage" data-testid="group-call-stage">
      <p data-testid="group-call-count">
        {props.t.participants(participants().length)} · <span data-testid="group-call-elapsed">{formatElapsed(now() - (snapshot()?.joinedAt ?? now()))}</span>
      </p>
      <For each={failing()}>
        {(p) => (
          <p role="alert" data-testid="group-call-cant-decrypt">
            {props.t.cantDecrypt(nameOf(p))}
          </p>
        )}
      </For>
      <Show when={spotlight()}>
        {(main) => <Tile participant={main()} stream={streams()?.get(main().index) ?? null} name={nameOf(main())} spotlight t={props.t} onPin={() => setPinned(null)} />}
      </Show>
      <div class="group-call__thumbnails" data-testid="group-call-thumbnails">
        <For each={visibleThumbnails()}>
          {(p) => <Tile participant={p} stream={streams()?.get(p.index) ?? null} name={nameOf(p)} t={props.t} onPin={() => setPinned(p.index)} />}
        </For>
      </div>
      <Show when={pages() > 1}>
        <nav aria-label={props.t.page(page() + 1, pages())}>
          <button type="button" disabled={page() === 0} onClick={() => setPage((n) => n - 1)}>
            {props.t.previousPage}
          </button>
          <span>{props.t.page(Math.min(page(), pages() - 1) + 1, pages())}</span>
          <button type="button" disabled={page() >= pages() - 1} onClick={() => setPage((n) => n + 1)}>
            {props.t.nextPage}
          </button>
        </nav>
      </Show>
      {/* Every participant's audio plays, on whatever page they are. */}
      <For each={others()}>{(p) => <StreamAudio stream={streams()?.get(p.index) ?? null} sinkId="" />}</For>
      <Show when={snapshot()?.media === 'video'}>
        <StreamVideo stream={localStream() ?? null} label={props.t.localPreview} testId="group-call-local-preview" mirrored />
      </Show>
      <div class="group-call__controls" role="group">
        <button type="button" aria-pressed={muted() ? 'true' : 'false'} onClick={() => props.store.setMuted(!muted())}>
          {props.t.mute}
        </button>
        <Show when={snapshot()?.media === 'video'}>
          <button type="button" aria-pressed={cameraOn() ? 'true' : 'false'} onClick={() => void props.store.setCameraOn(!cameraOn())}>
            {props.t.camera}
          </button>
        </Show>
        <button type="button" aria-pressed={self()?.handRaised ? 'true' : 'false'} onClick={() => props.store.setHandRaised(!self()?.handRaised)}>
          {props.t.raiseHand}
        </button>
        <span role="group" aria-label={props.t.reactions}>
          <For each={GROUP_REACTIONS}>
            {(emoji) => (
              <button type="button" aria-label={props.t.react(emoji)} onClick={() => props.store.react(emoji)}>
                {emoji}
              </button>
            )}
          </For>
        </span>
      </div>
      <details class="group-call__participants" data-testid="group-call-participants">
        <summary>{props.t.participants(participants().length)}</summary>
        <ul>
          <For each={participants()}>
            {(p) => (
              <li data-testid="group-call-participant" data-participant={p.index}>
                {nameOf(p)}
                <ParticipantBadges participant={p} t={props.t} />
                <Show when={p.viaLink}>
                  <small data-testid="group-call-via-link"> · {props.t.viaLink}</small>
                </Show>
                <Show when={p.guest}>
                  <small data-testid="group-call-guest"> · {props.t.guestBadge}</small>
                </Show>
                <Show when={props.store.state.linkAdmin && !p.self}>
                  {' '}
                  <button type="button" onClick={() => props.store.remove(p.index)}>
                    {props.t.remove(nameOf(p))}
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </details>
    </div>
  );
}

function Tile(props: { participant: GroupParticipantView; stream: MediaStream | null; name: string; spotlight?: boolean; t: CallMessages; onPin: () => void }) {
  const videoOnly = createMemo(() => {
    const track = props.stream?.getVideoTracks()[0];
    return track ? new MediaStream([track]) : null;
  });
  return (
    <figure
      class={`group-call__tile${props.spotlight ? ' group-call__tile--spotlight' : ''}${props.participant.talking ? ' group-call__tile--talking' : ''}`}
      data-testid={props.spotlight ? 'group-call-spotlight' : 'group-call-tile'}
      data-participant={props.participant.index}
      data-talking={props.participant.talking ? 'true' : 'false'}
      style={{ outline: props.participant.talking ? '3px solid #2e7d32' : 'none', width: props.spotlight ? '480px' : '160px' }}
    >
      <button type="button" class="group-call__pin" onClick={() => props.onPin()} aria-label={props.name}>
        <StreamVideo stream={videoOnly()} label={props.t.remoteVideo(props.name)} testId={props.spotlight ? 'group-call-spotlight-video' : 'group-call-tile-video'} />
      </button>
      <figcaption>
        {props.name}
        <ParticipantBadges participant={props.participant} t={props.t} />
        <Show when={props.participant.talking}>
          <span class="visually-hidden"> · {props.t.talking}</span>
        </Show>
        <Show when={props.participant.reaction}>
          {(emoji) => (
            <span class="group-call__reaction" data-testid="group-call-reaction" role="img" aria-label={props.t.reacted(props.name, emoji())}>
              {emoji()}
            </span>
          )}
        </Show>
      </figcaption>
    </figure>
  );
}

/** Mute and raised-hand marks, each with its own accessible name. */
function ParticipantBadges(props: { participant: GroupParticipantView; t: CallMessages }) {
  return (
    <>
      <Show when={props.participant.muted}>
        <span data-testid="group-call-muted" role="img" aria-label={props.t.mutedBadge}>
          {' '}🔇
        </span>
      </Show>
      <Show when={props.participant.handRaised}>
        <span data-testid="group-call-hand" role="img" aria-label={props.t.handRaisedBadge}>
          {' '}✋
        </span>
      </Show>
    </>
  );
}
