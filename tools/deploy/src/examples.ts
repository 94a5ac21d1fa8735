/**
 * The example files in `deploy/`: the tool's own renderings for `parley.example`, checked in so an
 * operator who sets things up by hand copies exactly what the tool would write (a test keeps them
 * equal). Regenerate with `npx tsx tools/deploy/src/examples.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEPLOY_FOLDER, renderCaddyfile, renderEnvFile, renderServerUnit, renderCoturnUnit } from './render.js';
import { defaultSettings } from './settings.js';

/** The example deployment: the repository checked out in /opt/parley, Node from NodeSource. */
export const EXAMPLE = { settings: { ...defaultSettings('parley.example'), acmeEmail: 'ops@parley.example' }, appDir: '/opt/parley', nodePath: '/usr/bin/node' };

/** Each example file by its path under deploy/. */
export function exampleFiles(): Record<string, string> {
  return {
    Caddyfile: renderCaddyfile(EXAMPLE.settings),
    'parley.env': renderEnvFile(EXAMPLE.settings, { turnSecret: '<made by tools/deploy, kept in /etc/parley/turn-secret>' }, EXAMPLE.appDir),
    'systemd/parley.service': renderServerUnit(EXAMPLE.appDir, EXAMPLE.nodePath),
    'systemd/parley-coturn.service': renderCoturnUnit(),
  };
}

const invoked = process.argv[1] ? resolve(process.argv[1]) : '';
if (invoked === resolve(new URL(import.meta.url).pathname)) {
  for (const [path, content] of Object.entries(exampleFiles())) {
    mkdirSync(dirname(join(DEPLOY_FOLDER, path)), { recursive: true });
    writeFileSync(join(DEPLOY_FOLDER, path), content);
  }
}
