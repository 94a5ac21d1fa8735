/** Where the full build of a remote goes, inside its dist. */
export const FULL_RUNTIME_DIR: 'full';
/** The entry file of every remote. */
export const REMOTE_ENTRY: 'remoteEntry.js';
/** sha384 Subresource Integrity of some bytes. */
export function sha384Integrity(bytes: Uint8Array | string): string;
/** The slim entry wrapped so it falls back to the full entry when the page provides no compatible runtime. */
export function withRuntimeFallback(slimSource: string, options: { name: string; runtimeVersion: string; fullEntry: string; fullIntegrity: string }): string;
/** The Module Federation version of the runtime core and of the shell's injector (they must agree). */
export function runtimeCoreVersion(nodeModules: string): string;
/** Wraps dist/remoteEntry.js around dist/full/remoteEntry.js and compresses it again; the full entry's integrity. */
export function finishRemoteEntry(distDir: string, options: { name: string; runtimeVersion: string }): Promise<string>;
