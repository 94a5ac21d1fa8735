/**
 * `npm run deploy -- --domain parley.example [--email you@example.org]` (or `bash tools/deploy/deploy.sh …`,
 * which first checks Node and installs the dependencies): deploys Parley on this Debian 12 server,
 * or upgrades it in place when run again (flags may then be left out: the last run's are kept).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@parley/server';
import { type SystemCommands, deploy, previousSettings } from './deploy.js';
import { HOW_TO_GET_NODE, unsupportedNode } from './node-version.js';
import { type DeploySettings, SettingsError, defaultSettings } from './settings.js';

export const HELP = `Usage: npm run deploy -- --domain <host> [options]      (as root, on Debian 12)

  --domain <host>          The shell, API and relay: https://<host>. Its DNS must point here.
  --chat-domain <host>     The chat app's origin (default chat.<domain>).
  --call-domain <host>     The call app's origin (default call.<domain>).
  --email <address>        Where Let's Encrypt writes about certificates (optional).
  --public-ip <address>    This server's public address when it is behind 1:1 NAT (most clouds).
  --tls acme|internal      Public certificates (default) or Caddy's own CA (private networks, tests).
  --turn-port <port>       coturn's TURN port, UDP and TCP (default 3478).
  --turn-relay-ports a-b   coturn's UDP relay ports (default 49152-65535).
  --janus-rtp-ports a-b    Janus's UDP media ports (default 20000-29999).
  --root <dir>             Write every file under <dir> instead of / (tests).
  --dry-run                Print the system commands instead of running them (tests).

Run it again to upgrade in place (after git pull): data, keys and secrets are kept.`;

/** Runs commands for real, showing their output. */
const realCommands: SystemCommands = {
  run(command, args, options = {}) {
    const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...options.env }, cwd: REPO_ROOT });
    const code = result.status ?? 1;
    if (code !== 0 && !options.mayFail) throw new Error(`${command} ${args.join(' ')} failed (exit ${code})`);
    return code;
  },
};

/** Records commands instead of running them. */
export function dryRunCommands(record: (line: string) => void): SystemCommands {
  return {
    run(command, args, options = {}) {
      const env = Object.entries(options.env ?? {}).map(([name, value]) => `${name}=${JSON.stringify(value)} `).join('');
      record(`${env}${command} ${args.join(' ')}`);
      // "Not there yet" for checks, so the dry run shows the whole first deployment.
      return options.mayFail ? 1 : 0;
    },
  };
}

/** The CLI, with its output and the repository given (tests). */
export async function runCli(argv: readonly string[], io: { out: (line: string) => void; err: (line: string) => void }, appDir = REPO_ROOT): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        domain: { type: 'string' },
        'chat-domain': { type: 'string' },
        'call-domain': { type: 'string' },
        email: { type: 'string' },
        'public-ip': { type: 'string' },
        tls: { type: 'string' },
        'turn-port': { type: 'string' },
        'turn-relay-ports': { type: 'string' },
        'janus-rtp-ports': { type: 'string' },
        root: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const nodeProblem = unsupportedNode(process.versions.node);
  if (nodeProblem) {
    io.err(`${nodeProblem}\n${HOW_TO_GET_NODE}`);
    return 1;
  }
  const root = resolve(values.root ?? '/');
  const dryRun = values['dry-run'] ?? false;
  if (!dryRun && process.getuid?.() !== 0) {
    io.err('Run it as root (sudo): it installs packages and services. --dry-run shows what it would do.');
    return 1;
  }
  const previous = previousSettings(root);
  const domain = values.domain ?? previous?.domain;
  if (!domain) {
    io.err(`--domain is needed on the first run.\n\n${HELP}`);
    return 2;
  }
  const base = previous && previous.domain === domain ? previous : defaultSettings(domain);
  const tls = values.tls ?? base.tls;
  if (tls !== 'acme' && tls !== 'internal') {
    io.err(`--tls must be acme or internal, got "${tls}"`);
    return 2;
  }
  const settings: DeploySettings = {
    ...base,
    tls,
    ...(values['chat-domain'] ? { chatDomain: values['chat-domain'] } : {}),
    ...(values['call-domain'] ? { callDomain: values['call-domain'] } : {}),
    ...(values.email ? { acmeEmail: values.email } : {}),
    ...(values['public-ip'] ? { publicIp: values['public-ip'] } : {}),
    ...(values['turn-port'] ? { turnPort: Number(values['turn-port']) } : {}),
    ...(values['turn-relay-ports'] ? { turnRelayPorts: values['turn-relay-ports'] } : {}),
    ...(values['janus-rtp-ports'] ? { janusRtpPorts: values['janus-rtp-ports'] } : {}),
  };
  try {
    await deploy(settings, {
      root,
      appDir,
      nodePath: process.execPath,
      system: dryRun ? dryRunCommands((line) => io.out(`would run: ${line}`)) : realCommands,
      log: io.out,
    });
    return 0;
  } catch (error) {
    io.err(error instanceof SettingsError ? error.message : `Deploying failed: ${(error as Error).message}`);
    return 1;
  }
}

// Run as a script (not when imported by the tests).
const invoked = process.argv[1] ? resolve(process.argv[1]) : '';
if (invoked === resolve(new URL(import.meta.url).pathname)) {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
