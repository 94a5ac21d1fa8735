import { startSignedInDownloads } from './returning-start.js';

// A returning browser's signed-in shell downloads alongside the first chunks (returning-start.ts).
startSignedInDownloads(() => localStorage);
// The async boundary lets Module Federation negotiate shared singletons before anything imports them.
import('./bootstrap.js');
