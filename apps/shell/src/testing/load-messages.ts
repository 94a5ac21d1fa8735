// Unit tests render screens in any language at once: every lazily loaded message table is loaded
// before they run (the page loads them on demand, see messages.ts).
import { loadMessages } from '../messages.js';

await loadMessages('ru-RU');
