import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Where a build's module list is written, relative to its project: beside (never inside) its dist,
 * so it is neither served nor published; named after the dist folder, so a second build of the same
 * project into another folder (call's negative control) does not overwrite the real build's list.
 */
export function bundleStatsFile(distFolderName = 'dist') {
  return `build-stats/${distFolderName}.json`;
}

/**
 * The leaf modules of rspack's stats JSON: a concatenated module ("./a.ts + 12 modules") is opened
 * into the modules it was made of, so each package is counted by its own code.
 *
 * @param {readonly any[]} modules
 * @returns {{ name: string; size: number; initial: boolean }[]}
 */
export function leafModules(modules, initialChunks = new Set(), chunkFiles = new Map()) {
  // A top-level orphan is in no chunk: either concatenated (counted inside its concatenation) or unused.
  return modules.filter((module) => !module.orphan).flatMap((module) => openConcatenation(module, initialChunks, chunkFiles));
}

/**
 * A module, or the modules a concatenation was made of (in an initial chunk when their concatenation
 * is), with the JS files of the chunks that carry it (so a URL on a critical path can be explained).
 *
 * @returns {{ name: string; size: number; initial: boolean; files: string[] }[]}
 */
function openConcatenation(module, initialChunks, chunkFiles) {
  const chunks = module.chunks ?? [];
  const initial = chunks.some((chunk) => initialChunks.has(chunk));
  const files = chunks.flatMap((chunk) => chunkFiles.get(chunk) ?? []);
  if (Array.isArray(module.modules) && module.modules.length > 0) {
    return module.modules
      .flatMap((inner) => openConcatenation(inner, initialChunks, chunkFiles))
      .map((leaf) => ({ ...leaf, initial: leaf.initial || initial, files: [...new Set([...leaf.files, ...files])] }));
  }
  return [{ name: String(module.name ?? module.identifier ?? ''), size: Number(module.size ?? 0), initial, files }];
}

/**
 * Every leaf module of a build (rsbuild's `onAfterBuild` stats, one compiler or several).
 *
 * @returns {{ name: string; size: number; initial: boolean; files: string[] }[]}
 */
export function buildModules(stats) {
  const all = 'stats' in stats ? stats.stats : [stats];
  return all.flatMap((one) => {
    const json = one.toJson({ all: false, modules: true, modulesSpace: 100000, nestedModules: true, nestedModulesSpace: 100000, runtimeModules: true, orphanModules: true, groupModulesByType: false, chunks: true, ids: true });
    const initialChunks = new Set((json.chunks ?? []).filter((chunk) => chunk.initial).map((chunk) => chunk.id));
    const chunkFiles = new Map((json.chunks ?? []).map((chunk) => [chunk.id, (chunk.files ?? []).filter((file) => file.endsWith('.js'))]));
    return leafModules(json.modules ?? [], initialChunks, chunkFiles);
  });
}

/**
 * Writes the bundler's own view of what a build is made of — every module with its source size
 * (before minification) and whether an initial chunk carries it — to `build-stats/modules.json`
 * in the project, for `npm run size`'s per-dependency table (tools/size/src/dependency-costs.ts).
 *
 * @returns {import('@rsbuild/core').RsbuildPlugin}
 */
export function pluginBundleStats() {
  return {
    name: 'parley:bundle-stats',
    setup(api) {
      api.onAfterBuild(async ({ stats }) => {
        if (!stats) return;
        const modules = buildModules(stats);
        const file = join(api.context.rootPath, bundleStatsFile(basename(api.context.distPath)));
        await mkdir(join(file, '..'), { recursive: true });
        await writeFile(file, `${JSON.stringify({ modules })}\n`);
      });
    },
  };
}
