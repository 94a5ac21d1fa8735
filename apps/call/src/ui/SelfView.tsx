import VideoOff from 'lucide-solid/icons/video-off';
import { Show, createSignal, createUniqueId } from 'solid-js';
import { type Corner, cornerAfterKey, nearestCorner } from './corners.js';
import { StreamVideo } from './media-views.js';

/**
 * The self view: a small overlay in a corner of the stage. Dragged with the pointer it follows, and
 * settles in the nearest corner when dropped; focused, the arrow keys move it from corner to corner.
 * While the camera is off, a mark says so over the (transparent) preview.
 */
export function SelfView(props: {
  stream: MediaStream | null;
  cameraOn: boolean;
  /** The group's accessible name ("Your camera (movable)"), how to move it, the preview's name, the camera-off mark's name. */
  label: string;
  hint: string;
  previewLabel: string;
  offLabel: string;
  testId: string;
}) {
  const [corner, setCorner] = createSignal<Corner>('bottom-right');
  const [drag, setDrag] = createSignal<{ x: number; y: number } | null>(null);
  const hintId = createUniqueId();
  let element!: HTMLDivElement;
  let start = { x: 0, y: 0, left: 0, top: 0 };

  const onPointerDown = (event: PointerEvent) => {
    if (event.button !== 0) return;
    const box = element.getBoundingClientRect();
    const stage = element.offsetParent?.getBoundingClientRect();
    if (!stage) return;
    start = { x: event.clientX, y: event.clientY, left: box.left - stage.left, top: box.top - stage.top };
    element.setPointerCapture(event.pointerId);
    setDrag({ x: start.left, y: start.top });
  };
  const onPointerMove = (event: PointerEvent) => {
    if (!drag()) return;
    setDrag({ x: start.left + event.clientX - start.x, y: start.top + event.clientY - start.y });
  };
  const onPointerUp = (event: PointerEvent) => {
    const at = drag();
    if (!at) return;
    element.releasePointerCapture(event.pointerId);
    const stage = element.offsetParent as HTMLElement | null;
    if (stage) setCorner(nearestCorner(at.x + element.offsetWidth / 2, at.y + element.offsetHeight / 2, stage.clientWidth, stage.clientHeight));
    setDrag(null);
  };

  return (
    <div
      ref={element}
      class={`call-self-view call-self-view--${corner()}`}
      classList={{ 'call-self-view--dragging': drag() !== null }}
      style={{ left: drag() ? `${drag()!.x}px` : undefined, top: drag() ? `${drag()!.y}px` : undefined }}
      role="group"
      tabIndex={0}
      aria-label={props.label}
      aria-describedby={hintId}
      data-corner={corner()}
      data-testid="self-view"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setDrag(null)}
      onKeyDown={(event) => {
        const next = cornerAfterKey(corner(), event.key);
        if (!next) return;
        event.preventDefault();
        setCorner(next);
      }}
    >
      <StreamVideo stream={props.stream} label={props.previewLabel} testId={props.testId} mirrored fit="cover" concealed={!props.cameraOn} />
      <Show when={!props.cameraOn}>
        <span class="call-self-view__off" role="img" aria-label={props.offLabel}>
          <VideoOff aria-hidden="true" />
        </span>
      </Show>
      <span id={hintId} class="visually-hidden">
        {props.hint}
      </span>
    </div>
  );
}
