// Standalone page for developing the chat app alone (`nx serve chat`); in production the shell
// loads ./App through Module Federation and this file is not used.
import('./standalone.js');
