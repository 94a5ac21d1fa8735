import type { RsbuildPlugin } from '@rsbuild/core';

/** Where a build's module list is written, relative to its project (beside dist, never inside). */
export function bundleStatsFile(distFolderName?: string): string;
/** The leaf modules of rspack's stats JSON, concatenated modules opened. */
export function leafModules(
  modules: readonly unknown[],
  initialChunks?: ReadonlySet<string | number>,
  chunkFiles?: ReadonlyMap<string | number, readonly string[]>,
): { name: string; size: number; initial: boolean; files: string[] }[];
/** Every leaf module of a build (rsbuild's onAfterBuild stats). */
export function buildModules(stats: unknown): { name: string; size: number; initial: boolean; files: string[] }[];
/** Writes every module of a build with its source size to `build-stats/<dist folder>.json` in the project. */
export function pluginBundleStats(): RsbuildPlugin;
