/**
 * `npm run size`: how heavy each app is, and what a first load costs on the wire.
 *
 * - Static: each app's JS and CSS, and each shared singleton the shell provides, plain, gzip and
 *   brotli (as the origins serve them); what each dependency costs, from the bundler's stats.
 * - On the wire: Chromium against the real server (parley-origins.ts), cache disabled, walks the
 *   critical paths (critical-paths.ts) with its own Accept-Encoding (brotli), gzip only and none.
 * - Budgets (budgets.ts): exits non-zero when a critical path, as the browser gets it, is over.
 *
 * Prints tables and writes the figures to .tmp/size-report.json (PARLEY_SIZE_REPORT names another file).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '@parley/server';
import { BUDGETS, type CriticalPath, GOAL_BYTES, overBudget } from './budgets.js';
import { type Milestone, firstVisitOnboarding, returningVisit, signUp } from './critical-paths.js';
import { type DependencyCost, contentsOfFile, dependencyCosts, readBuiltModules } from './dependency-costs.js';
import { startParleyOrigins } from './parley-origins.js';
import { type Encoded, type SharedSize, appSize, sharedSizes } from './static-sizes.js';
import type { AcceptedEncodings } from './wire-meter.js';

const APPS = ['shell', 'chat', 'call'] as const;
const ENCODINGS: readonly AcceptedEncodings[] = ['browser', 'gzip', 'identity'];
const ENCODING_LABEL: Record<AcceptedEncodings, string> = { browser: 'brotli (browser default)', gzip: 'gzip only', identity: 'uncompressed' };
/** Rows per app in the dependency table; the rest are summed in one row. */
const TOP_DEPENDENCIES = 12;

const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

interface WirePaths {
  firstVisitOnboarding: Milestone;
  returningChat: Milestone;
  returningCall: Milestone;
}

async function measureWire(): Promise<{ paths: Record<AcceptedEncodings, WirePaths>; signUp: Milestone }> {
  const origins = await startParleyOrigins();
  try {
    const shell = origins.addresses.shell;
    const account = await signUp(origins.browser, shell, 'size_report', { encodings: 'browser' });
    const paths = {} as Record<AcceptedEncodings, WirePaths>;
    for (const encodings of ENCODINGS) {
      const firstVisit = await firstVisitOnboarding(origins.browser, shell, { encodings });
      const returning = await returningVisit(account.context, shell, { encodings });
      paths[encodings] = { firstVisitOnboarding: firstVisit, returningChat: returning.chat, returningCall: returning.call };
    }
    await account.context.close();
    return { paths, signUp: account.chat };
  } finally {
    await origins.close();
  }
}

function dependencyTable(app: string, costs: DependencyCost[] | null): string {
  if (!costs) return `${app}: no bundle stats (apps/${app}/build-stats/dist.json); rebuild with \`npx nx run ${app}:build --skip-nx-cache\`.`;
  const top = costs.slice(0, TOP_DEPENDENCIES);
  const rest = costs.slice(TOP_DEPENDENCIES);
  const rows = top.map((cost) => [cost.package, kB(cost.bytes), kB(cost.initialBytes), String(cost.modules)]);
  if (rest.length > 0) {
    const sum = (pick: (cost: DependencyCost) => number) => rest.reduce((total, cost) => total + pick(cost), 0);
    rows.push([`${rest.length} more`, kB(sum((c) => c.bytes)), kB(sum((c) => c.initialBytes)), String(sum((c) => c.modules))]);
  }
  return `${app}\n${table(['package', 'source bytes', 'in initial chunks', 'modules'], rows)}`;
}

/**
 * A remote's second build for shells that provide no federation runtime (tools/mf-build/runtime-fallback.mjs:
 * `dist/full`); today's shell never loads it, so it is counted on its own row.
 */
const FULL_RUNTIME_DIR = 'full';
const apps = Object.fromEntries(APPS.map((app) => [app, appSize(join(REPO_ROOT, 'apps', app, 'dist'), [FULL_RUNTIME_DIR])])) as Record<(typeof APPS)[number], Encoded>;
const fullBuilds = APPS.flatMap((app) => {
  const dir = join(REPO_ROOT, 'apps', app, 'dist', FULL_RUNTIME_DIR);
  return existsSync(dir) ? [[`${app} (${FULL_RUNTIME_DIR}/, for older shells)`, appSize(dir)] as const] : [];
});
const shared: SharedSize[] = sharedSizes(join(REPO_ROOT, 'apps/shell/dist'));
const dependencies = Object.fromEntries(APPS.map((app) => [app, readBuiltModules(join(REPO_ROOT, 'apps', app, 'build-stats/dist.json'))])) as Record<
  string,
  ReturnType<typeof readBuiltModules>
>;
const costs = Object.fromEntries(Object.entries(dependencies).map(([app, modules]) => [app, modules && dependencyCosts(modules)]));
const wire = await measureWire();

console.log('Built apps, all JS and CSS in dist, as served');
const appRows: Array<readonly [string, Encoded]> = [...APPS.map((app) => [app, apps[app]] as const), ...fullBuilds];
console.log(table(['app', 'plain', 'gzip', 'brotli'], appRows.map(([app, size]) => [app, kB(size.raw), kB(size.gzip), kB(size.br)])));
console.log('\nShared dependencies the shell provides (mf-manifest.json; a chunk carrying two counts for both)');
console.log(
  table(
    ['package', 'version', 'singleton', 'plain', 'gzip', 'brotli'],
    shared.map((one) => [one.name, one.version, one.singleton ? 'yes' : 'no', kB(one.raw), kB(one.gzip), kB(one.br)]),
  ),
);
console.log('\nWhat each dependency costs (rspack stats: module source bytes before minification)');
for (const app of APPS) console.log(`\n${dependencyTable(app, costs[app] ?? null)}`);

const PATH_LABEL: Record<CriticalPath, string> = {
  firstVisitOnboarding: '(a) first visit, until the onboarding form is usable',
  returningChat: '(b) returning, empty cache, until the conversation list is usable',
  returningCall: '(c) returning, empty cache, until the call app has mounted',
};
const paths = Object.keys(BUDGETS) as CriticalPath[];
console.log('\nBytes on the wire (Chromium encodedDataLength: headers and bodies as received; cache disabled)');
console.log(
  table(
    ['critical path', ...ENCODINGS.map((encoding) => ENCODING_LABEL[encoding]), 'requests', 'budget'],
    [
      ...paths.map((path) => [
        PATH_LABEL[path],
        ...ENCODINGS.map((encoding) => kB(wire.paths[encoding][path].bytes)),
        String(wire.paths.browser[path].requests),
        kB(BUDGETS[path]),
      ]),
      ['first visit, until the chat is usable (account created)', kB(wire.signUp.bytes), '', '', String(wire.signUp.requests), ''],
    ],
  ),
);
console.log('\nWhat (b) is made of (browser default; bytes on the wire per URL, largest first)');
/** The packages of a URL's file, from the stats of whichever app's build has a file of that name. */
const contentsOfUrl = (url: string) => {
  const file = new URL(url).pathname.replace(/^\/releases\/[^/]+\//, '').replace(/^\//, '');
  for (const app of APPS) {
    const found = dependencies[app] ? contentsOfFile(dependencies[app], file) : '';
    if (found) return `${app}: ${found}`;
  }
  return '';
};
console.log(table(['URL', 'on the wire', 'made of (source bytes)'], wire.paths.browser.returningChat.byUrl.map((one) => [one.url, kB(one.bytes), contentsOfUrl(one.url)])));
const served = wire.paths.browser.returningCall.encodings;
console.log(`\nResponses by Content-Encoding on the returning visit (browser default): ${JSON.stringify(served)}; goal for (a) and (b): ${kB(GOAL_BYTES)}.`);

const measured = Object.fromEntries(paths.map((path) => [path, wire.paths.browser[path].bytes])) as Record<CriticalPath, number>;
const excess = overBudget(measured);
const reportFile = resolve(REPO_ROOT, process.env.PARLEY_SIZE_REPORT ?? '.tmp/size-report.json');
mkdirSync(dirname(reportFile), { recursive: true });
writeFileSync(
  reportFile,
  `${JSON.stringify({ apps, shared, dependencies: costs, wire: wire.paths, signUp: wire.signUp, budgets: BUDGETS, goalBytes: GOAL_BYTES, overBudget: excess }, null, 2)}\n`,
);
console.log(`Report written to ${reportFile}`);
if (excess.length > 0) {
  for (const { path, measured: bytes, budget } of excess) console.error(`Over budget: ${PATH_LABEL[path]}: ${bytes} bytes > ${budget} (tools/size/src/budgets.ts)`);
  process.exitCode = 1;
}
