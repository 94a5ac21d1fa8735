/**
 * What each dependency costs an app, from the bundler's own stats (the module list
 * tools/mf-build/bundle-stats-plugin.mjs writes at build time): module source bytes (before
 * minification and compression, as rspack reports them) grouped by the package they come from.
 */
import { existsSync, readFileSync } from 'node:fs';

/** One module of a build, as the stats plugin writes it. */
export interface BuiltModule {
  name: string;
  size: number;
  initial: boolean;
  /** The JS files (relative to dist) of the chunks that carry it; absent in stats from older builds. */
  files?: string[];
}

/** One package's share of a build. */
export interface DependencyCost {
  package: string;
  bytes: number;
  /** The part in initial chunks (loaded with the entry rather than on demand). */
  initialBytes: number;
  modules: number;
}

/**
 * The package a module belongs to: `zod` for `../../node_modules/zod/v4/…`, `@parley/messenger` for
 * the workspace's `../../libs/messenger/…`, "app source" for the app's own `./src/…`, and the
 * bundler's and Module Federation's generated code under names of their own.
 */
export function packageOf(moduleName: string): string {
  // A loader-rewritten module ("@module-federation/runtime/rspack.js!=!data:…") is named by its request.
  const name = moduleName.includes('!=!') ? moduleName.slice(0, moduleName.indexOf('!=!')) : moduleName;
  // Before the path test: "provide shared module … = /…/node_modules/react/index.js" is Module Federation's code, not react's.
  if (/^(provide|consume) shared module|^container entry|^remote /.test(name)) return 'module federation glue';
  // rspack's federation entry (named by its loader, "@module-federation/runtime/rspack.js!=!data:…",
  // though it is none of that package's code) and a slim remote's bundler runtime (tools/mf-build).
  if (moduleName.includes('!=!data:') || /(?:^|\/)tools\/mf-build\//.test(name)) return 'module federation glue';
  const inNodeModules = name.lastIndexOf('node_modules/');
  if (inNodeModules >= 0) return packageName(name.slice(inNodeModules + 'node_modules/'.length));
  const lib = /(?:^|\/)libs\/([^/]+)\//.exec(name);
  if (lib) return `@parley/${lib[1]}`;
  if (name.startsWith('./src/') || name.startsWith('./')) return 'app source';
  if (name.startsWith('webpack/runtime/')) return 'bundler runtime';
  if (/^@[^/]+\/[^/]+/.test(name) || /^[a-z0-9][\w.-]*\//i.test(name)) return packageName(name);
  return 'other';
}

function packageName(path: string): string {
  const parts = path.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** A build's modules grouped by package, heaviest first. */
export function dependencyCosts(modules: readonly BuiltModule[]): DependencyCost[] {
  const byPackage = new Map<string, DependencyCost>();
  for (const module of modules) {
    const pkg = packageOf(module.name);
    const cost = byPackage.get(pkg) ?? { package: pkg, bytes: 0, initialBytes: 0, modules: 0 };
    cost.bytes += module.size;
    if (module.initial) cost.initialBytes += module.size;
    cost.modules += 1;
    byPackage.set(pkg, cost);
  }
  return [...byPackage.values()].sort((a, b) => b.bytes - a.bytes || a.package.localeCompare(b.package));
}

/** The modules the stats plugin wrote for a build, or null when the build predates it. */
export function readBuiltModules(statsFile: string): BuiltModule[] | null {
  if (!existsSync(statsFile)) return null;
  return (JSON.parse(readFileSync(statsFile, 'utf8')) as { modules: BuiltModule[] }).modules;
}

/**
 * What one built JS file is made of: its packages by source bytes, heaviest first, as
 * "zod 88.1 kB, app source 12.0 kB" (the first `top`). Empty when the stats do not name the file.
 */
export function contentsOfFile(modules: readonly BuiltModule[], file: string, top = 3): string {
  const inFile = modules.filter((module) => module.files?.some((one) => one === file || one.endsWith(`/${file}`)));
  return dependencyCosts(inFile)
    .slice(0, top)
    .map((cost) => `${cost.package} ${(cost.bytes / 1024).toFixed(1)} kB`)
    .join(', ');
}
