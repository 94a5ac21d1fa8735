// The chat's open-conversation chunk (lazy-open-conversation.ts): everything the conversation list
// does not need to be usable — the 1:1 and group conversations with their message thread,
// attachments, voice messages, actions, editor, quotes and scheduled calls, the Calls view and
// message search. Nothing here is imported by the list's own modules.
// Their styles first, so they keep their place before the parts' own files, as when chat.css held them.
import './thread.css';

export { CallsPane } from './CallsView.js';
export { ConversationView } from './ConversationView.js';
export { GroupConversationView } from './GroupConversation.js';
export { MessageSearchPanel } from './MessageSearchPanel.js';
