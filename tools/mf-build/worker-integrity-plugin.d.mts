import type { Rspack } from '@rsbuild/core';

/** Stands in the app's code for the worker's sha384 until the worker's bytes are final. */
export const WORKER_INTEGRITY_PLACEHOLDER: string;
/** Writes the sha384 of the worker chunk `workerChunk` into the chunk that starts it. */
export function workerIntegrityPlugin(workerChunk: string): Rspack.RspackPluginInstance;
