/**
 * The release CLI. It works on the server's data folder directly, through the server package's
 * storage and release registry (SQLite in WAL mode lets it write while the server runs; the server
 * evaluates the rules on every manifest request, so a change is visible to the next fetch). Run it on
 * the machine that holds the data folder:
 *
 *   npx tsx tools/release/src/cli.ts <command> …      (or: npm run release -- <command> …)
 *
 * See `help` below and the README, "Releasing the call app".
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTRACT_VERSION, REMOTE_NAMES, type RemoteName } from '@parley/contracts';
import {
  MANIFEST_KEY_FILE_NAME,
  REPO_ROOT,
  ReleaseError,
  ReleaseRegistry,
  builtVersion,
  loadOrCreateManifestKeys,
  rotateManifestKeys,
  storageFromEnv,
  writePublicKeys,
} from '@parley/server';

export const HELP = `Usage: release <command> [options]      (data folder: --data-dir, else PARLEY_DATA_DIR, else ./data;
                                        the database: PARLEY_DATABASE_URL when set, as the server)

  publish <remote> [--version v] [--dist dir] [--contracts ^1.0.0] [--entry-url url]
      Copy a build (default apps/<remote>/dist) to data/releases/<remote>/<version>/ and record the
      sha384 of its remoteEntry.js. Version defaults to the build's own. Releases are immutable.
  promote <remote> <version> --beta | --percent N [--group id] | --users a,b
      Offer a published version to beta-program users, to N% of users (sticky; the group is kept
      when N changes, --group draws a new sample), or to named users.
  default <remote> <version>     Everyone else gets <version> (rollouts of it become redundant).
  rollback <remote>              Undo the last rule change (again: the one before).
  kill <remote> | unkill <remote>  Turn the remote off for everyone / back on.
  status <remote> [--user id [--beta]] [--contract 1.0.0]
      Releases, rules and recent changes; with --user, what that user gets and why.
  keys [--rotate]                Print the manifest public keys to pin (generated on first use);
                                 --rotate makes the next key current and generates a new next key.
  Add --json for machine-readable output.`;

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

function remoteArg(value: string | undefined): RemoteName {
  if (!value || !(REMOTE_NAMES as readonly string[]).includes(value)) throw new UsageError(`name a remote: ${REMOTE_NAMES.join(' or ')}`);
  return value as RemoteName;
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

/** Runs one command; resolves to the process exit code (0 done, 1 refused, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command || command === 'help' || values.help) {
    io.out(HELP);
    return command || values.help ? 0 : 2;
  }
  const dataDir = resolve(values['data-dir'] ?? io.env.PARLEY_DATA_DIR ?? './data');
  const print = (human: string, json: unknown) => io.out(values.json ? JSON.stringify(json, null, 2) : human);

  if (command === 'keys') {
    const file = io.env.PARLEY_MANIFEST_KEY_FILE ? resolve(io.env.PARLEY_MANIFEST_KEY_FILE) : join(dataDir, MANIFEST_KEY_FILE_NAME);
    const keys = values.rotate ? rotateManifestKeys(file) : loadOrCreateManifestKeys(file);
    if (existsSync(dataDir)) writePublicKeys(dataDir, keys);
    // Always JSON: this is what PARLEY_MANIFEST_KEYS takes.
    io.out(JSON.stringify(keys.pinned));
    return 0;
  }

  // PARLEY_DATABASE_URL as the server reads it: a release published here reaches every node.
  const storage = storageFromEnv(io.env, dataDir, { now: () => Date.now() });
  try {
    await storage.open();
    const registry = new ReleaseRegistry(storage, { dataDir, clock: { now: () => Date.now() } });
    switch (command) {
      case 'publish': {
        const remote = remoteArg(rest[0]);
        const distDir = resolve(values.dist ?? join(REPO_ROOT, 'apps', remote, 'dist'));
        const version = values.version ?? builtVersion(distDir) ?? undefined;
        const outcome = await registry.publish({
          remote,
          version: required(version, '--version (the build declares none)'),
          distDir,
          ...(values.contracts ? { contracts: values.contracts } : {}),
          ...(values['entry-url'] ? { entryUrl: values['entry-url'] } : {}),
        });
        const { release } = outcome;
        print(
          `${outcome.status === 'published' ? 'published' : 'already published (same bytes)'} ${remote} ${release.version}\n` +
            `  entry      ${release.entry}\n  integrity  ${release.integrity}\n  contracts  ${release.contracts}\n` +
            `  nobody gets it yet: promote it (release promote ${remote} ${release.version} --beta)`,
          outcome,
        );
        return 0;
      }
      case 'promote': {
        const remote = remoteArg(rest[0]);
        const version = required(rest[1], 'the version to promote');
        const chosen = [values.beta, values.percent !== undefined, values.users !== undefined].filter(Boolean).length;
        if (chosen !== 1) throw new UsageError('promote takes exactly one of --beta, --percent N, --users a,b');
        let result;
        if (values.beta) result = await registry.promoteBeta(remote, version);
        else if (values.percent !== undefined) {
          const percent = Number(values.percent);
          result = await registry.promotePercent(remote, version, percent, values.group);
        } else {
          const users = (values.users ?? '').split(',').map((user) => user.trim()).filter(Boolean);
          result = await registry.promoteUsers(remote, version, users);
        }
        print(`${remote}: revision ${result.revision}\n${describeRules(result.rules)}`, result);
        return 0;
      }
      case 'default': {
        const remote = remoteArg(rest[0]);
        const result = await registry.setDefault(remote, required(rest[1], 'the version'));
        print(`${remote}: revision ${result.revision}\n${describeRules(result.rules)}`, result);
        return 0;
      }
      case 'rollback': {
        const remote = remoteArg(rest[0]);
        const result = await registry.rollback(remote);
        print(`${remote}: rolled back to the rules of revision ${result.restored} (now revision ${result.revision})\n${describeRules(result.rules)}`, result);
        return 0;
      }
      case 'kill':
      case 'unkill': {
        const remote = remoteArg(rest[0]);
        const result = command === 'kill' ? await registry.kill(remote) : await registry.unkill(remote);
        print(`${remote}: kill switch ${result.rules.killed ? 'ON: nobody gets it' : 'off'} (revision ${result.revision})`, result);
        return 0;
      }
      case 'status': {
        const remote = remoteArg(rest[0]);
        const [releases, current, history] = await Promise.all([registry.releases(remote), registry.currentRules(remote), registry.history(remote, 5)]);
        const contract = values.contract ?? CONTRACT_VERSION;
        let user: { userId: string; beta: boolean; gets: string } | null = null;
        if (values.user) {
          const beta = values.beta || (await storage.betaOptIn(values.user));
          const explained = await registry.explain(remote, { userId: values.user, beta }, contract);
          user = { userId: values.user, beta, gets: explained.reason };
        }
        const lines = [
          `${remote} (rules revision ${current.revision})`,
          'releases:',
          ...(releases.length ? releases.map((r) => `  ${r.version.padEnd(16)} contracts ${r.contracts.padEnd(10)} ${r.entry}  ${new Date(r.publishedAt).toISOString()}`) : ['  (none)']),
          'rules:',
          describeRules(current.rules),
          'recent changes:',
          ...(history.length ? history.map((h) => `  #${h.revision} ${new Date(h.changedAt).toISOString()}  ${h.change}`) : ['  (none)']),
          ...(user ? [`user ${user.userId}${user.beta ? ' (beta program)' : ''}, shell contract ${contract}: ${user.gets}`] : []),
        ];
        print(lines.join('\n'), { remote, releases, rules: current.rules, revision: current.revision, history, ...(user ? { user } : {}) });
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${HELP}`);
      return 2;
    }
    if (error instanceof ReleaseError) {
      io.err(`refused (${error.code}): ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await storage.close();
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      version: { type: 'string' },
      dist: { type: 'string' },
      contracts: { type: 'string' },
      'entry-url': { type: 'string' },
      beta: { type: 'boolean' },
      percent: { type: 'string' },
      group: { type: 'string' },
      users: { type: 'string' },
      user: { type: 'string' },
      contract: { type: 'string' },
      rotate: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The rules in the order they are evaluated. */
export function describeRules(rules: Awaited<ReturnType<ReleaseRegistry['currentRules']>>['rules']): string {
  return [
    `  1. kill switch  ${rules.killed ? 'ON (nobody gets a release)' : 'off'}`,
    `  2. denylist     ${rules.denylist.length ? rules.denylist.join(', ') : '-'}`,
    `  3. allowlist    ${rules.allowlist.length ? rules.allowlist.map((entry) => `${entry.userId} → ${entry.version}`).join(', ') : '-'}`,
    `  4. beta         ${rules.beta ?? '-'}`,
    `  5. rollouts     ${rules.rollouts.length ? rules.rollouts.map((r) => `${r.percent}% → ${r.version} (group ${r.groupId})`).join(', ') : '-'}`,
    `  6. default      ${rules.defaultVersion ?? '- (no release)'}`,
  ].join('\n');
}

// Run as a script (not when imported by the tests).
const invoked = process.argv[1] ? resolve(process.argv[1]) : '';
if (invoked === resolve(new URL(import.meta.url).pathname) || invoked.endsWith('tools/release/src/cli.ts')) {
  const code = await runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  });
  process.exitCode = code;
}

