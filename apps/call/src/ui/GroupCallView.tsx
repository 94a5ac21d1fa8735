import Ellipsis from 'lucide-solid/icons/ellipsis';
import Hand from 'lucide-solid/icons/hand';
import LayoutGrid from 'lucide-solid/icons/layout-grid';
import Mic from 'lucide-solid/icons/mic';
import MicOff from 'lucide-solid/icons/mic-off';
import Minimize2 from 'lucide-solid/icons/minimize-2';
import MonitorOff from 'lucide-solid/icons/monitor-off';
import MonitorUp from 'lucide-solid/icons/monitor-up';
import PhoneOff from 'lucide-solid/icons/phone-off';
import UserPlus from 'lucide-solid/icons/user-plus';
import Users from 'lucide-solid/icons/users';
import Video from 'lucide-solid/icons/video';
import VideoOff from 'lucide-solid/icons/video-off';
import { For, Show, createEffect, createMemo, createSignal, createUniqueId, from, onCleanup } from 'solid-js';
import type { GroupCallStore } from '../group/group-call-store.js';
import type { GroupParticipantView } from '@parley/call-engine';
import { GROUP_REACTIONS } from '@parley/contracts';
import type { RtcGroupMedia } from '../group/group-media.js';
import { type GroupShareNotice, createGroupScreenShare } from '../group/group-screen-share.js';
import { captureScreen } from '../media/screen-capture.js';
import { type CallMessages, formatElapsed } from '../messages.js';
import { Avatar } from './Avatar.js';
import { EndedSummary } from './EndedSummary.js';
import { HostControls, HostNoticeLine } from './HostControls.js';
import { CallSettingsSheet, MicrophoneSwitches, MutedHint } from './CallSettingsSheet.js';
import { PictureInPictureButton } from './CallPictureInPicture.js';
import { IncomingCallDialog } from './IncomingCallDialog.js';
import { MiniCallBar } from './MiniCallBar.js';
import { SelfView } from './SelfView.js';
import { ShareWarning } from './ShareWarning.js';
import { RoundButton } from './controls.js';
import { type GridFit, fitGrid } from './grid-fit.js';
import { createIdleControls } from './idle-controls.js';
import { createSheetToggle } from './sheet-toggle.js';
import { StreamAudio, StreamVideo } from './media-views.js';

/** Thumbnails per page in the spotlight layout; beyond it, pages. */
export const TILES_PER_PAGE = 9;
/** Tiles are laid out for this picture shape (the camera's usual 16:9). */
const TILE_ASPECT = 16 / 9;
/** Gap between tiles, in px (matches the stage's CSS gap). */
const TILE_GAP = 8;
/** The thumbnail strip under the spotlight takes at most this share of the stage's height. */
const STRIP_SHARE = 0.25;
/** Tile width from which a tile asks for the middle, and for the high simulcast layer. */
const MIDDLE_LAYER_FROM_PX = 240;
const HIGH_LAYER_FROM_PX = 480;

/** Props the group call screens take from the call panel. */
interface GroupCallPanelProps {
  readonly store: GroupCallStore<RtcGroupMedia>;
  readonly t: CallMessages;
  readonly modal: boolean;
  readonly minimised: boolean;
  readonly setMinimised: (minimised: boolean) => void;
}

/** The group call screens: the incoming ring, the call stage (spotlight or grid), its end. */
export function GroupCallPanel(props: GroupCallPanelProps) {
  const t = () => props.t;
  const state = props.store.state;
  const running = () => !!state.snapshot && state.snapshot.phase !== 'ended';
  const requests = () => state.snapshot?.joinRequests ?? [];
  return (
    <>
      <Show when={state.incoming}>
        {(incoming) => (
          <IncomingCallDialog
            callerId={incoming().ring.groupId}
            callerName={incoming().ring.groupName}
            title={t().groupIncoming(incoming().ring.callerName, incoming().ring.groupName)}
            kind={incoming().ring.media}
            kindLabel={incoming().ring.media === 'video' ? t().videoCall : t().voiceCall}
            acceptLabel={t().join}
            declineLabel={t().decline}
            shortcuts={t().incomingGroupShortcuts}
            onAccept={() => props.store.join()}
            onDecline={() => props.store.decline()}
            modal={props.modal}
            testId="group-call-incoming"
            titleTestId="group-call-incoming-title"
          />
        )}
      </Show>
      <Show when={state.snapshot ?? (state.failure ? true : null)}>
        <div
          class="call-panel call-panel--stage group-call"
          classList={{ 'call-panel--minimised': props.minimised && running() }}
          role="region"
          aria-label={t().groupCall(state.ring?.groupName || t().callLink)}
          data-testid="group-call"
          data-phase={state.snapshot?.phase ?? 'ended'}
        >
          <Show
            when={running()}
            fallback={
              <div class="call-stage call-stage--summary">
                <div class="call-stage__person">
                  <EndedSummary okLabel={t().ok} note={t().closesSoon} onClose={() => props.store.dismiss()}>
                    <h2 class="call-stage__name" data-testid="group-call-title">
                      {t().groupCall(state.ring?.groupName || t().callLink)}
                    </h2>
                    <Show when={state.failure ?? state.snapshot?.error} fallback={<p data-testid="group-call-left">{t().leftGroupCall}</p>}>
                      {(why) => (
                        <p role="alert" data-testid="group-call-error" data-code={why()}>
                          {t().linkFailure(why())}
                        </p>
                      )}
                    </Show>
                  </EndedSummary>
                </div>
              </div>
            }
          >
            <Show when={requests().length > 0}>
              <section class="call-requests" role="status" aria-label={t().joinRequests} data-testid="group-call-join-requests">
                <p class="call-requests__title">
                  <UserPlus aria-hidden="true" /> {t().waitingToJoin(requests().length)}
                </p>
                <ul>
                  <For each={requests()}>
                    {(request) => (
                      <li data-testid="group-call-join-request">
                        <span>
                          {request.displayName}
                          {request.guest ? ` (${t().guestBadge})` : ''}
                        </span>
                        <button type="button" class="call-button call-button--primary" onClick={() => props.store.admit(request.requestId, true)}>
                          {t().admit(request.displayName)}
                        </button>
                        <button type="button" class="call-button" onClick={() => props.store.admit(request.requestId, false)}>
                          {t().refuse(request.displayName)}
                        </button>
                      </li>
                    )}
                  </For>
                </ul>
              </section>
            </Show>
            <Show when={state.media} keyed fallback={<GroupWaiting store={props.store} t={t()} />}>
              {(media) => <GroupCallStage media={media} store={props.store} t={t()} modal={props.modal} minimised={props.minimised} setMinimised={props.setMinimised} />}
            </Show>
          </Show>
        </div>
      </Show>
    </>
  );
}

/** Before the media is up: joining, or waiting for the link's creator to admit this user; Leave. */
function GroupWaiting(props: { store: GroupCallStore<RtcGroupMedia>; t: CallMessages }) {
  const state = props.store.state;
  return (
    <div class="call-stage">
      <div class="call-stage__main">
        <div class="call-stage__person">
          <Avatar accountId={state.ring?.groupId ?? ''} name={state.ring?.groupName || props.t.callLink} />
          <h2 class="call-stage__name" data-testid="group-call-title">
            {props.t.groupCall(state.ring?.groupName || props.t.callLink)}
          </h2>
          <Show when={state.snapshot?.phase === 'joining'}>
            <p>{props.t.joiningGroup}</p>
          </Show>
          <Show when={state.snapshot?.phase === 'waiting'}>
            <p role="status" data-testid="group-call-waiting">
              {props.t.waitingForAdmission(state.ring?.callerName ?? '')}
            </p>
          </Show>
          <Show when={state.snapshot?.phase === 'rejoining'}>
            <p role="status" data-testid="group-call-rejoining">
              {props.t.rejoining}
            </p>
          </Show>
        </div>
      </div>
      <div class="call-bar" role="toolbar" aria-label={props.t.inCallControls}>
        <RoundButton label={props.t.leave} tone="danger" icon={<PhoneOff aria-hidden="true" />} onClick={() => props.store.leave()} />
      </div>
    </div>
  );
}

/** Watches an element's content size. */
function createSize() {
  const [size, setSize] = createSignal({ width: 0, height: 0 });
  let observer: ResizeObserver | undefined;
  onCleanup(() => observer?.disconnect());
  return {
    size,
    observe(element: HTMLElement) {
      observer = new ResizeObserver(([entry]) => {
        const box = entry!.contentRect;
        setSize({ width: Math.floor(box.width), height: Math.floor(box.height) });
      });
      observer.observe(element);
    },
  };
}

/** The simulcast layer worth receiving for a tile this wide. */
const layerFor = (tileWidth: number) => (tileWidth >= HIGH_LAYER_FROM_PX ? 2 : tileWidth >= MIDDLE_LAYER_FROM_PX ? 1 : 0);

/**
 * The call itself. Spotlight (the default): one participant large (pinned, else whoever talks, else
 * the first other) and the others as a strip of thumbnails, paged by TILES_PER_PAGE. Grid: everyone
 * in tiles that fit the stage (fitGrid from its observed size), none outside it, no scrolling. The
 * spotlight is received on the highest simulcast layer and thumbnails on the lowest; grid tiles on
 * the layer their size needs. While someone else shares a screen, the screen is the spotlight and
 * their camera a thumbnail like everyone's (a presentation starting switches grid back to spotlight);
 * when they stop, the layout is as before. Self view as a movable overlay; controls fade while
 * nothing moves.
 */
function GroupCallStage(props: { media: RtcGroupMedia; store: GroupCallStore<RtcGroupMedia>; t: CallMessages; modal: boolean; minimised: boolean; setMinimised: (minimised: boolean) => void }) {
  const media = props.media;
  const streams = from(media.participantStreams$);
  const screens = from(media.screenStreams$);
  const share = createGroupScreenShare({ call: () => props.store.state.call, media });
  const [warning, setWarning] = createSignal(false);
  const localStream = from(media.localStream$);
  const decryption = from(media.decryption$);
  const muted = from(media.muted$);
  const cameraOn = from(media.cameraOn$);
  const [pinned, setPinned] = createSignal<number | null>(null);
  const [page, setPage] = createSignal(0);
  const [grid, setGrid] = createSignal(false);
  const [now, setNow] = createSignal(props.store.now());
  const ticker = setInterval(() => setNow(props.store.now()), 500);
  onCleanup(() => clearInterval(ticker));
  const area = createSize();
  const idle = createIdleControls();
  // "More": the microphone's audio switches, as in 1:1 calls (the same setting per microphone).
  const settings = createSheetToggle();
  const settingsId = createUniqueId();

  const snapshot = () => props.store.state.snapshot;
  const participants = () => snapshot()?.participants ?? [];
  const self = () => participants().find((p) => p.self);
  const others = createMemo(() => participants().filter((p) => !p.self));
  /** Someone else presenting: their screen is the spotlight. */
  const presenter = createMemo<GroupParticipantView | null>(() => others().find((p) => p.index === snapshot()?.presenter) ?? null);
  let shownPresenter: number | null = null;
  createEffect(() => {
    const index = presenter()?.index ?? null;
    if (index !== null && index !== shownPresenter) setGrid(false);
    shownPresenter = index;
  });
  const spotlight = createMemo<GroupParticipantView | null>(() => {
    if (grid() || presenter()) return null;
    const list = others();
    return list.find((p) => p.index === pinned()) ?? list.find((p) => p.talking) ?? list[0] ?? null;
  });
  const thumbnails = createMemo(() => (grid() ? [] : others().filter((p) => p.index !== spotlight()?.index)));
  const pages = createMemo(() => Math.max(1, Math.ceil(thumbnails().length / TILES_PER_PAGE)));
  const currentPage = () => Math.min(page(), pages() - 1);
  const visibleThumbnails = createMemo(() => thumbnails().slice(currentPage() * TILES_PER_PAGE, (currentPage() + 1) * TILES_PER_PAGE));
  const nameOf = (p: GroupParticipantView) => (p.self ? props.t.you : (props.store.state.names.get(p.userId) ?? p.displayName ?? p.userId));
  const groupName = () => props.store.state.ring?.groupName || props.t.callLink;
  const hostName = () => {
    const host = snapshot()?.host;
    const person = participants().find((p) => p.userId === host && !p.self);
    return person ? nameOf(person) : (props.store.state.names.get(host ?? '') ?? props.t.hostBadge);
  };
  const elapsed = () => formatElapsed(now() - (snapshot()?.joinedAt ?? now()));
  // What the call shows and does wherever it floats: the bar over the chat, the picture-in-picture window.
  const floating = {
    get name() {
      return groupName();
    },
    get elapsed() {
      return elapsed();
    },
    get muted() {
      return !!muted();
    },
    setMuted: (next: boolean) => props.store.setMuted(next),
    get cameraOn() {
      return video() ? !!cameraOn() : undefined;
    },
    get setCameraOn() {
      return video() ? (on: boolean) => void props.store.setCameraOn(on) : undefined;
    },
    hangUp: () => props.store.leave(),
    get hangUpLabel() {
      return props.t.leave;
    },
    get t() {
      return props.t;
    },
  };

  // The layout, from the stage's size: the strip under the spotlight, the spotlight above it, or the grid.
  const stripHeight = createMemo(() => (visibleThumbnails().length > 0 ? Math.floor(area.size().height * STRIP_SHARE) : 0));
  const stripFit = createMemo<GridFit>(() => fitGrid(visibleThumbnails().length, area.size().width, stripHeight(), TILE_ASPECT, TILE_GAP));
  const spotlightFit = createMemo<GridFit>(() => fitGrid(spotlight() || presenter() ? 1 : 0, area.size().width, area.size().height - (stripHeight() ? stripHeight() + TILE_GAP : 0), TILE_ASPECT, TILE_GAP));
  const gridFit = createMemo<GridFit>(() => fitGrid(grid() ? others().length : 0, area.size().width, area.size().height, TILE_ASPECT, TILE_GAP));

  // Layers: spotlight high, thumbnails on this page low, grid tiles by their size, everyone else's video not forwarded at all.
  createEffect(() => {
    const call = props.store.state.call;
    if (!call) return;
    if (grid()) {
      const layer = layerFor(gridFit().tileWidth);
      for (const p of others()) call.chooseLayer(p.index, layer);
      return;
    }
    const main = spotlight();
    const shown = new Set(visibleThumbnails().map((p) => p.index));
    if (main) call.chooseLayer(main.index, 2);
    for (const p of others()) if (p.index !== main?.index) call.chooseLayer(p.index, shown.has(p.index) ? 0 : null);
  });

  const failing = createMemo(() => others().filter((p) => decryption()?.get(p.index)?.failing));
  // The floating window shows whoever the spotlight shows (in the grid, the first other).
  const pipVideoTrack = createMemo(() => {
    const main = spotlight() ?? others()[0];
    return main ? (streams()?.get(main.index)?.getVideoTracks()[0] ?? null) : null;
  });
  const pipVideo = createMemo(() => {
    const track = pipVideoTrack();
    return track && snapshot()?.media === 'video' ? new MediaStream([track]) : null;
  });
  const video = () => snapshot()?.media === 'video';

  const nameOfIndex = (index: number) => {
    const p = participants().find((candidate) => candidate.index === index);
    return p ? nameOf(p) : '';
  };
  const shareNoticeText = (notice: GroupShareNotice) =>
    notice.kind === 'refused' ? props.t.presentingRefused(nameOfIndex(notice.presenter)) : notice.kind === 'lost' ? props.t.presentationLost(nameOfIndex(notice.presenter)) : props.t.screenNotice(notice.kind);
  /** Share screen: refused at once while someone else presents, else the warning first, as in 1:1 calls. */
  const askToShare = () => {
    const current = snapshot()?.presenter ?? null;
    if (current !== null && current !== self()?.index) share.refuse(current);
    else setWarning(true);
  };
  const shareAfterWarning = () => {
    setWarning(false);
    void captureScreen(navigator.mediaDevices).then((captured) => share.start(captured));
  };

  return (
    <>
      <div class="call-stage" classList={{ 'call-stage--video': video() }} data-idle={idle.idle() && video() ? 'true' : 'false'} data-testid="group-call-stage" ref={(element) => idle.watch(element)}>
        <header class="call-stage__top">
          <h2 class="call-stage__name" data-testid="group-call-title">
            {props.t.groupCall(groupName())}
          </h2>
          <p class="call-stage__status" data-testid="group-call-count">
            {props.t.participants(participants().length)} · <span data-testid="group-call-elapsed">{elapsed()}</span>
          </p>
          {/* The people list: a pill in the stage's top row (never over a tile), a sheet below it when open. */}
          <details class="group-call__participants call-sheet call-sheet--people" data-testid="group-call-participants">
            <summary class="call-sheet__summary">
              {/* The count beside an icon: the top row already says "N participants" in words. */}
              <Users aria-hidden="true" /> <span aria-hidden="true">{participants().length}</span>
              <span class="visually-hidden">{props.t.participants(participants().length)}</span>
            </summary>
            <ul>
              <For each={participants()}>
                {(p) => (
                  <li data-testid="group-call-participant" data-participant={p.index}>
                    <Avatar accountId={p.userId} name={nameOf(p)} size="md" />
                    <span class="group-call__person-name">{nameOf(p)}</span>
                    <ParticipantBadges participant={p} t={props.t} />
                    <Show when={p.viaLink}>
                      <small data-testid="group-call-via-link"> · {props.t.viaLink}</small>
                    </Show>
                    <Show when={p.guest}>
                      <small data-testid="group-call-guest"> · {props.t.guestBadge}</small>
                    </Show>
                    <Show when={p.userId === snapshot()?.host}>
                      <small data-testid="group-call-host"> · {props.t.hostBadge}</small>
                    </Show>
                    <Show when={(props.store.state.linkAdmin || snapshot()?.isHost) && !p.self && p.userId !== snapshot()?.host}>
                      <button type="button" class="call-button" onClick={() => props.store.remove(p.index)}>
                        {props.t.remove(nameOf(p))}
                      </button>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </details>
          <For each={failing()}>
            {(p) => (
              <p class="call-notice call-notice--alert" role="alert" data-testid="group-call-cant-decrypt">
                {props.t.cantDecrypt(nameOf(p))}
              </p>
            )}
          </For>
          <Show when={props.store.state.snapshot?.phase === 'rejoining'}>
            <p class="call-notice" role="status" data-testid="group-call-rejoining">
              {props.t.rejoining}
            </p>
          </Show>
          <HostNoticeLine notice={snapshot()?.hostNotice ?? null} hostName={hostName()} t={props.t} />
          <MutedHint track={localStream()?.getAudioTracks()[0] ?? null} muted={!!muted()} t={props.t} />
          <Show when={snapshot()?.locked}>
            <p class="call-notice" data-testid="group-call-locked">
              {props.t.callLocked}
            </p>
          </Show>
          <Show when={share.screen()}>
            <p class="call-notice" data-testid="sharing-screen">
              {props.t.sharing}
            </p>
          </Show>
          <Show when={share.notice()}>
            {(notice) => (
              <p class="call-notice" classList={{ 'call-notice--alert': notice().kind !== 'no-sound' }} role={notice().kind === 'no-sound' ? 'status' : 'alert'} data-testid="screen-notice">
                {shareNoticeText(notice())}
              </p>
            )}
          </Show>
          {/* Always in the page, so screen readers hear a presentation start and end. */}
          <p class="visually-hidden" role="status" data-testid="group-call-presenting">
            {presenter() ? props.t.peerSharing(nameOf(presenter()!)) : ''}
          </p>
        </header>
        <div class="group-call__area" ref={(element) => area.observe(element)} data-testid="group-call-area" data-layout={grid() ? 'grid' : 'spotlight'}>
          <Show when={grid()}>
            <div class="group-call__grid" style={{ 'grid-template-columns': `repeat(${gridFit().columns}, ${gridFit().tileWidth}px)` }}>
              <For each={others()}>
                {(p) => <Tile participant={p} stream={streams()?.get(p.index) ?? null} name={nameOf(p)} fit={gridFit()} t={props.t} onPin={() => {
                      setPinned(p.index);
                      setGrid(false);
                    }} />}
              </For>
            </div>
          </Show>
          <Show when={!grid() && presenter()}>
            {(main) => (
              <div class="group-call__spotlight-row">
                <ScreenTile participant={main()} stream={screens()?.get(main().index) ?? null} name={nameOf(main())} fit={spotlightFit()} t={props.t} />
              </div>
            )}
          </Show>
          <Show when={spotlight()}>
            {(main) => (
              <div class="group-call__spotlight-row">
                <Tile participant={main()} stream={streams()?.get(main().index) ?? null} name={nameOf(main())} fit={spotlightFit()} spotlight t={props.t} onPin={() => setPinned(null)} />
              </div>
            )}
          </Show>
          <Show when={visibleThumbnails().length > 0}>
            <div class="group-call__thumbnails" data-testid="group-call-thumbnails" style={{ height: `${stripHeight()}px` }}>
              <For each={visibleThumbnails()}>
                {(p) => <Tile participant={p} stream={streams()?.get(p.index) ?? null} name={nameOf(p)} fit={stripFit()} t={props.t} onPin={() => setPinned(p.index)} />}
              </For>
            </div>
          </Show>
          <Show when={settings.open()}>
            <CallSettingsSheet id={settingsId} t={props.t} onClose={settings.close}>
              <MicrophoneSwitches media={media} t={props.t} />
            </CallSettingsSheet>
          </Show>
        </div>
        <Show when={!grid() && pages() > 1}>
          <nav class="group-call__pages" aria-label={props.t.page(currentPage() + 1, pages())}>
            <button type="button" class="call-button" disabled={currentPage() === 0} onClick={() => setPage(currentPage() - 1)}>
              {props.t.previousPage}
            </button>
            <span>{props.t.page(currentPage() + 1, pages())}</span>
            <button type="button" class="call-button" disabled={currentPage() >= pages() - 1} onClick={() => setPage(currentPage() + 1)}>
              {props.t.nextPage}
            </button>
          </nav>
        </Show>
        {/* Every participant's audio plays, whatever is on screen. */}
        <For each={others()}>{(p) => <StreamAudio stream={streams()?.get(p.index) ?? null} sinkId="" />}</For>
        <Show when={presenter()}>{(p) => <StreamAudio stream={screens()?.get(p().index) ?? null} sinkId="" />}</Show>
        <Show when={video()}>
          <SelfView stream={localStream() ?? null} cameraOn={!!cameraOn()} label={props.t.selfView} hint={props.t.selfViewHint} previewLabel={props.t.localPreview} offLabel={props.t.yourCameraOff} testId="group-call-local-preview" />
        </Show>
        <div class="call-bar" role="toolbar" aria-label={props.t.inCallControls}>
          <RoundButton label={props.t.mute} pressed={!!muted()} icon={muted() ? <MicOff aria-hidden="true" /> : <Mic aria-hidden="true" />} onClick={() => props.store.setMuted(!muted())} />
          <Show when={video()}>
            <RoundButton label={props.t.camera} pressed={!cameraOn()} icon={cameraOn() ? <Video aria-hidden="true" /> : <VideoOff aria-hidden="true" />} onClick={() => void props.store.setCameraOn(!cameraOn())} />
            <Show when={share.screen()} fallback={<RoundButton label={props.t.shareScreen} icon={<MonitorUp aria-hidden="true" />} onClick={askToShare} />}>
              <RoundButton label={props.t.stopSharing} pressed icon={<MonitorOff aria-hidden="true" />} onClick={() => void share.stop()} />
            </Show>
          </Show>
          <RoundButton label={props.t.raiseHand} pressed={!!self()?.handRaised} icon={<Hand aria-hidden="true" />} onClick={() => props.store.setHandRaised(!self()?.handRaised)} />
          <span class="call-reactions" role="group" aria-label={props.t.reactions}>
            <For each={GROUP_REACTIONS}>
              {(emoji) => (
                <button type="button" class="call-reaction" aria-label={props.t.react(emoji)} title={props.t.react(emoji)} onClick={() => props.store.react(emoji)}>
                  {emoji}
                </button>
              )}
            </For>
          </span>
          <Show when={snapshot()?.isHost}>
            <HostControls actions={props.store} locked={!!snapshot()?.locked} t={props.t} />
          </Show>
          <RoundButton label={props.t.more} icon={<Ellipsis aria-hidden="true" />} expanded={settings.open()} controls={settingsId} ref={settings.button} onClick={settings.toggle} />
          <RoundButton label={props.t.gridView} pressed={grid()} icon={<LayoutGrid aria-hidden="true" />} onClick={() => setGrid(!grid())} testId="group-call-grid-switch" />
          <RoundButton label={props.t.minimise} icon={<Minimize2 aria-hidden="true" />} onClick={() => props.setMinimised(true)} />
          <PictureInPictureButton
            {...floating}
            video={pipVideo()}
            videoElement={() => document.querySelector<HTMLVideoElement>('[data-testid="group-call-spotlight-video"]')}
            t={props.t}
          />
          <RoundButton label={props.t.leave} tone="danger" icon={<PhoneOff aria-hidden="true" />} onClick={() => props.store.leave()} />
        </div>
        <Show when={warning()}>
          <ShareWarning text={props.t.shareWarningGroup} t={props.t} modal={props.modal} onConfirm={shareAfterWarning} onCancel={() => setWarning(false)} />
        </Show>
      </div>
      <Show when={props.minimised}>
        <MiniCallBar
          {...floating}
          restore={() => props.setMinimised(false)}
        />
      </Show>
    </>
  );
}

/** One participant: their video (or avatar while their camera is off), name, and mute and hand marks; a click puts them in the spotlight. */
function Tile(props: { participant: GroupParticipantView; stream: MediaStream | null; name: string; fit: GridFit; spotlight?: boolean; t: CallMessages; onPin: () => void }) {
  const videoOnly = createMemo(() => {
    const track = props.stream?.getVideoTracks()[0];
    return track ? new MediaStream([track]) : null;
  });
  const showVideo = () => !!videoOnly() && props.participant.cameraOn;
  return (
    <figure
      class="group-call__tile"
      classList={{ 'group-call__tile--spotlight': !!props.spotlight, 'group-call__tile--talking': props.participant.talking }}
      data-testid={props.spotlight ? 'group-call-spotlight' : 'group-call-tile'}
      data-participant={props.participant.index}
      data-talking={props.participant.talking ? 'true' : 'false'}
      style={{ width: `${props.fit.tileWidth}px`, height: `${props.fit.tileHeight}px` }}
    >
      <button type="button" class="group-call__pin" onClick={() => props.onPin()} aria-label={props.name}>
        <StreamVideo stream={videoOnly()} label={props.t.remoteVideo(props.name)} testId={props.spotlight ? 'group-call-spotlight-video' : 'group-call-tile-video'} concealed={!showVideo()} />
        <Show when={!showVideo()}>
          <span class="group-call__tile-avatar">
            <Avatar accountId={props.participant.userId} name={props.name} size={props.fit.tileHeight >= 140 ? 'lg' : 'md'} />
          </span>
        </Show>
      </button>
      <figcaption class="group-call__caption">
        <span class="group-call__name">{props.name}</span>
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

/** A participant's shared screen, the spotlight for everyone else: shown whole (text must stay readable), named as their screen. */
function ScreenTile(props: { participant: GroupParticipantView; stream: MediaStream | null; name: string; fit: GridFit; t: CallMessages }) {
  const videoOnly = createMemo(() => {
    const track = props.stream?.getVideoTracks()[0];
    return track ? new MediaStream([track]) : null;
  });
  return (
    <figure
      class="group-call__tile group-call__tile--spotlight group-call__tile--screen"
      data-testid="group-call-spotlight"
      data-participant={props.participant.index}
      data-source="screen"
      style={{ width: `${props.fit.tileWidth}px`, height: `${props.fit.tileHeight}px` }}
    >
      <StreamVideo stream={videoOnly()} label={props.t.screenOf(props.name)} testId="group-call-spotlight-video" />
      <figcaption class="group-call__caption">
        <span class="group-call__name">{props.t.screenOf(props.name)}</span>
      </figcaption>
    </figure>
  );
}

/** Mute, camera-off and raised-hand marks, each an icon with its own accessible name. */
function ParticipantBadges(props: { participant: GroupParticipantView; t: CallMessages }) {
  return (
    <>
      <Show when={props.participant.muted}>
        <span class="call-badge" data-testid="group-call-muted" role="img" aria-label={props.t.mutedBadge}>
          <MicOff aria-hidden="true" />
        </span>
      </Show>
      <Show when={props.participant.handRaised}>
        <span class="call-badge call-badge--hand" data-testid="group-call-hand" role="img" aria-label={props.t.handRaisedBadge}>
          <Hand aria-hidden="true" />
        </span>
      </Show>
    </>
  );
}
