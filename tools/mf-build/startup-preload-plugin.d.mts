import type { RsbuildPlugin, Rspack } from '@rsbuild/core';

/** The JS and CSS files the runtime loads for the entry's `import(request)`, with the chunks of the shared modules they consume. */
export function startupChunkFiles(compilation: Rspack.Compilation, request: string): string[];

/** The `<link>` tags of an HTML page, each as its attributes. */
export function linkTags(html: string): Record<string, string>[];

/** Checks a built page's preload hints against the build's files and the entry's chunk loader; returns what is wrong. */
export function checkPreloads(build: {
  html: string;
  entry: string;
  readDist: (path: string) => Promise<Buffer>;
  assetPrefix?: string;
}): Promise<{ preloads: number; problems: string[] }>;

/** Preloads, with their integrity, the chunks every visit loads right after the entry. */
export function pluginStartupPreload(options: { request: string }): RsbuildPlugin;
