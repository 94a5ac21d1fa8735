// The chat app's styles, rendered with the app so they arrive with the remote from its own origin
// and leave with it on destroy. Scoped under `.chat-app`.
export const CHAT_STYLES = `
.chat-app { display: grid; grid-template-columns: minmax(14rem, 20rem) 1fr; height: 100%; min-height: 24rem; overflow: hidden; }
.chat-app .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.chat-app__list { border-right: 1px solid #8884; overflow-y: auto; }
.chat-app .find-user { display: flex; flex-wrap: wrap; gap: 0.25rem; padding: 0.5rem; align-items: center; }
.chat-app .find-user input { flex: 1; min-width: 8rem; }
.chat-app .find-user__error { flex-basis: 100%; margin: 0; color: #c33; }
.chat-app .conversation-list { list-style: none; margin: 0; padding: 0; }
.chat-app .conversation-list__item { display: grid; grid-template-columns: 1fr auto; gap: 0.1rem 0.5rem; width: 100%; text-align: left;
  padding: 0.5rem; border: 0; border-bottom: 1px solid #8882; background: none; color: inherit; font: inherit; cursor: pointer; }
.chat-app .conversation-list__item[aria-current="true"] { background: #8882; }
.chat-app .conversation-list__item:focus-visible { outline: 2px solid #36c; outline-offset: -2px; }
.chat-app .conversation-list__name { font-weight: 600; }
.chat-app .conversation-list__time { font-size: 0.8em; opacity: 0.7; }
.chat-app .conversation-list__preview { font-size: 0.9em; opacity: 0.8; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.chat-app .conversation-list__unread { justify-self: end; min-width: 1.4em; padding: 0 0.4em; border-radius: 1em; background: #36c; color: #fff; text-align: center; font-size: 0.8em; }
.chat-app .conversation-list__empty, .chat-app .conversation__empty, .chat-app__signed-out { padding: 1rem; opacity: 0.8; }
.chat-app .conversation { display: flex; flex-direction: column; min-height: 0; }
.chat-app .conversation__header { display: flex; gap: 0.5rem; align-items: center; padding: 0.5rem 1rem; border-bottom: 1px solid #8884; }
.chat-app .conversation__peer { font-size: 1.1rem; margin: 0; }
.chat-app .conversation__handle { font-weight: normal; opacity: 0.7; }
.chat-app .conversation__actions { margin-left: auto; display: flex; gap: 0.25rem; }
.chat-app .notice { margin: 0.5rem 1rem; padding: 0.5rem; border-radius: 0.25rem; }
.chat-app .notice p { margin: 0 0 0.25rem; }
.chat-app .notice--warning { background: #fc04; border: 1px solid #c90; }
.chat-app .notice--info { background: #36c2; }
.chat-app .message-list { flex: 1; overflow-y: auto; min-height: 0; }
.chat-app .message-list__items { list-style: none; margin: 0; padding: 0.5rem 1rem; display: flex; flex-direction: column; gap: 0.3rem; }
.chat-app .message-list__items > li { content-visibility: auto; contain-intrinsic-size: auto 2rem; }
.chat-app .bubble { max-width: 70%; padding: 0.35rem 0.6rem; border-radius: 0.8rem; }
.chat-app .bubble--in { align-self: flex-start; background: #8883; }
.chat-app .bubble--out { align-self: flex-end; background: #36c3; }
.chat-app .bubble__body { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.chat-app .bubble__meta { display: flex; gap: 0.3rem; justify-content: flex-end; font-size: 0.75em; opacity: 0.75; }
.chat-app .call-entry { align-self: center; font-size: 0.85em; padding: 0.2rem 0.6rem; border-radius: 0.8rem; background: #8882; }
.chat-app .call-entry--missed { color: #c33; }
.chat-app .call-entry__time { opacity: 0.75; font-size: 0.85em; }
.chat-app .bubble__ticks--read { color: #36c; }
.chat-app .bubble__ticks--failed { color: #c33; }
.chat-app .composer { display: flex; gap: 0.5rem; padding: 0.5rem 1rem; border-top: 1px solid #8884; align-items: flex-end; flex-wrap: wrap; }
.chat-app .composer textarea { flex: 1; resize: vertical; font: inherit; }
.chat-app .composer__error { flex-basis: 100%; margin: 0; color: #c33; }
.chat-app .safety-number { padding: 1rem; }
.chat-app .safety-number__digits { display: grid; grid-template-columns: repeat(4, max-content); gap: 0.3rem 1rem; font: 1.2rem ui-monospace, monospace; }
.chat-app .new-group { display: flex; flex-direction: column; gap: 0.25rem; padding: 0.5rem; }
.chat-app .new-group__actions { display: flex; gap: 0.25rem; }
.chat-app .group-members { padding: 0.25rem 0.5rem; border-bottom: 1px solid #8882; }
.chat-app .group-members__list { list-style: none; margin: 0; padding: 0; }
.chat-app .group-members__list li { display: flex; gap: 0.5rem; align-items: baseline; padding: 0.15rem 0; }
.chat-app .bubble__sender { display: block; font-size: 0.8em; font-weight: 600; opacity: 0.8; }
.chat-app .scheduled-calls { padding: 0.5rem 1rem; border-bottom: 1px solid #8882; max-height: 45%; overflow-y: auto; }
.chat-app .scheduled-calls__list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 0.5rem; }
.chat-app .scheduled-call { padding: 0.5rem 0.75rem; border: 1px solid #36c6; border-radius: 0.5rem; background: #36c1; }
.chat-app .scheduled-call--cancelled { border-color: #8886; background: #8881; }
.chat-app .scheduled-call--cancelled .scheduled-call__title [data-testid="scheduled-call-title"] { text-decoration: line-through; }
.chat-app .scheduled-call__title { margin: 0 0 0.25rem; font-size: 1rem; }
.chat-app .scheduled-call__badge { color: #c33; font-size: 0.85em; }
.chat-app .scheduled-call p { margin: 0.15rem 0; }
.chat-app .scheduled-call__zone, .chat-app .scheduled-call__organizer-time, .chat-app .scheduled-call__organizer, .chat-app .scheduled-call__state { font-size: 0.85em; opacity: 0.8; }
.chat-app .scheduled-call__description { white-space: pre-wrap; overflow-wrap: anywhere; }
.chat-app .scheduled-call__actions, .chat-app .scheduled-call__confirm { display: flex; flex-wrap: wrap; gap: 0.25rem; margin-top: 0.35rem; align-items: center; }
.chat-app .schedule-form { display: flex; flex-direction: column; gap: 0.25rem; padding: 0.5rem 0; }
.chat-app .schedule-form h3 { margin: 0; font-size: 1rem; }
.chat-app .schedule-form__times { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; }
.chat-app .schedule-form__zone, .chat-app .schedule-form__invitees { margin: 0; font-size: 0.85em; opacity: 0.8; }
.chat-app .schedule-form__actions { display: flex; gap: 0.25rem; }
.chat-app .call-reminders { position: fixed; right: 1rem; bottom: 1rem; z-index: 10; display: flex; flex-direction: column; gap: 0.5rem; max-width: 24rem; }
.chat-app .call-reminder { padding: 0.75rem; border-radius: 0.5rem; background: #235; color: #fff; box-shadow: 0 0.25rem 1rem #0006; }
.chat-app button:focus-visible, .chat-app input:focus-visible, .chat-app textarea:focus-visible { outline: 2px solid #36c; outline-offset: 1px; }
`;
