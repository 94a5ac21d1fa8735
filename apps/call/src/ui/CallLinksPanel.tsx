import X from 'lucide-solid/icons/x';
import { For, Show, createSignal, createUniqueId, onCleanup, onMount } from 'solid-js';
import type { CallLinksStore, CallLinkView } from '../links/call-links-store.js';
import type { CallMessages } from '../messages.js';

/**
 * "Call links", a dialog over the page (opened from the chat's menus over `call.links-requested`):
 * make a link (optional name, admin approval), copy it, join its call, change approval, reset it
 * to a new secret or revoke it; and open a link someone sent. Escape or Close closes it and the
 * focus goes back to where it was (the menu button that opened it). `modal`: the rest of the page
 * inert (the app); false only where two call apps share a page (the call lab).
 */
export function CallLinksPanel(props: { store: CallLinksStore; open: (link: string) => void; onClose: () => void; modal: boolean; locale: string; t: CallMessages }) {
  let dialog!: HTMLDialogElement;
  const titleId = createUniqueId();
  const [name, setName] = createSignal('');
  const [approval, setApproval] = createSignal(false);
  const [opening, setOpening] = createSignal('');
  // Where the focus was: the chat's menu button, in another app's part of the page. Browsers do not
  // all give it back when a dialog closes, and the dialog closes by unmounting as often as not.
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  onMount(() => {
    if (props.modal) dialog.showModal();
    else dialog.show();
    void props.store.refresh();
  });
  onCleanup(() => {
    if (dialog.open) dialog.close();
    if (opener?.isConnected) opener.focus();
  });

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const made = await props.store.create(name(), approval());
    if (made) setName('');
  };

  return (
    <dialog
      ref={dialog}
      class="call-dialog call-links"
      classList={{ 'call-dialog--inline': !props.modal }}
      aria-labelledby={titleId}
      data-testid="call-links"
      // Escape: closed by the app (the dialog unmounts), not behind its back.
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      <header class="call-links__header">
        <h2 id={titleId} class="call-dialog__title">
          {props.t.callLinks}
        </h2>
        <button type="button" class="call-icon-button" aria-label={props.t.closeCallLinks} title={props.t.closeCallLinks} onClick={() => props.onClose()}>
          <X aria-hidden="true" />
        </button>
      </header>
      <form class="call-links__new" aria-label={props.t.newCallLink} onSubmit={(event) => void create(event)}>
        <label class="call-field call-links__name">
          {props.t.callName}
          <input class="call-input" value={name()} maxLength={128} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <label class="call-check">
          <input type="checkbox" checked={approval()} onChange={(event) => setApproval(event.currentTarget.checked)} /> {props.t.approvalMode}
        </label>
        <button type="submit" class="call-button call-button--primary">
          {props.t.createLink}
        </button>
      </form>
      <Show when={props.store.error}>{(why) => <p role="alert">{props.t.linkFailed(props.t.linkFailure(why()))}</p>}</Show>
      <Show when={props.store.links.length > 0} fallback={<p>{props.t.noLinks}</p>}>
        <ul class="call-links__list">
          <For each={props.store.links}>{(link) => <LinkRow link={link} store={props.store} open={props.open} locale={props.locale} t={props.t} />}</For>
        </ul>
      </Show>
      <form
        class="call-links__open"
        aria-label={props.t.openLinkLabel}
        onSubmit={(event) => {
          event.preventDefault();
          if (opening().trim()) props.open(opening().trim());
          setOpening('');
        }}
      >
        <label class="call-field call-links__name">
          {props.t.openLinkLabel}
          <input class="call-input" value={opening()} onInput={(event) => setOpening(event.currentTarget.value)} autocomplete="off" />
        </label>
        <button type="submit" class="call-button">
          {props.t.openLink}
        </button>
      </form>
    </dialog>
  );
}

function LinkRow(props: { link: CallLinkView; store: CallLinksStore; open: (link: string) => void; locale: string; t: CallMessages }) {
  const [copied, setCopied] = createSignal(false);
  const label = () => props.link.name || props.t.callLink;
  // "Copied" shows for a while; the timer goes with the row.
  let copiedTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(copiedTimer));
  const copy = async () => {
    if (!props.link.url) return;
    await navigator.clipboard?.writeText(props.link.url).catch(() => {});
    setCopied(true);
    clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => setCopied(false), 2000);
  };
  return (
    <li class="call-links__link" data-testid="call-link" data-room={props.link.roomId}>
      <strong class="call-links__link-name">{label()}</strong>
      <Show when={props.link.url}>
        {(url) => (
          <div class="call-links__row">
            <input class="call-input call-links__url" readOnly value={url()} aria-label={`${props.t.linkUrl}: ${label()}`} data-testid="call-link-url" />
            <button type="button" class="call-button" onClick={() => void copy()}>
              {copied() ? props.t.copied : props.t.copyLink}
            </button>
            <button type="button" class="call-button call-button--primary" onClick={() => props.open(url())}>
              {props.t.joinLink}
            </button>
          </div>
        )}
      </Show>
      <div class="call-links__row">
        <label class="call-check">
          <input type="checkbox" checked={props.link.approval} onChange={(event) => void props.store.setApproval(props.link.roomId, event.currentTarget.checked)} /> {props.t.approvalMode}
        </label>
        <button type="button" class="call-button" onClick={() => void props.store.reset(props.link.roomId, props.link.name)}>
          {props.t.resetLink}
        </button>
        <button type="button" class="call-button call-button--danger" onClick={() => void props.store.revoke(props.link.roomId)}>
          {props.t.revokeLink}
        </button>
      </div>
      <small class="call-links__expiry">{props.t.linkExpires(new Date(props.link.expiresAt).toLocaleDateString(props.locale))}</small>
    </li>
  );
}
