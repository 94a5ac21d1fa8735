// Standalone page for developing the call app alone (`nx serve call`); in production the shell
// loads ./App through Module Federation and this file is not used.
import('./standalone.js');
