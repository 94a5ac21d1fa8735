import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleFiles } from './examples.js';
import { DEPLOY_FOLDER, renderCaddyfile } from './render.js';
import { defaultSettings } from './settings.js';

/** `caddy validate` on a Caddyfile; null when Caddy is not installed (outside CI). */
function caddyValidate(content: string): { status: number | null; output: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'parley-caddyfile-'));
  try {
    writeFileSync(join(dir, 'Caddyfile'), content);
    const caddy = spawnSync('caddy', ['validate', '--adapter', 'caddyfile', '--config', join(dir, 'Caddyfile')], { encoding: 'utf8', env: { ...process.env, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir } });
    if (caddy.error) {
      if (process.env.CI) throw new Error('caddy is not installed: CI installs it (tools/test/ensure-system-packages.sh)');
      return null;
    }
    return { status: caddy.status, output: caddy.stdout + caddy.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the examples in deploy/', () => {
  it.each(Object.keys(exampleFiles()))('deploy/%s is what the tool writes for parley.example (regenerate: npx tsx tools/deploy/src/examples.ts)', (path) => {
    expect(readFileSync(join(DEPLOY_FOLDER, path), 'utf8')).toBe(exampleFiles()[path]);
  });

  it('the example Caddyfile is valid for Caddy', () => {
    const caddy = caddyValidate(readFileSync(join(DEPLOY_FOLDER, 'Caddyfile'), 'utf8'));
    if (caddy) expect(caddy.status, caddy.output).toBe(0);
  });
});

describe('renderCaddyfile', () => {
  const settings = defaultSettings('parley.test');

  it('proxies the three origins to the loopback listeners, replacing any X-Forwarded-For a client sent', () => {
    const caddyfile = renderCaddyfile(settings);
    expect(caddyfile).toMatch(/^parley\.test \{\n\treverse_proxy 127\.0\.0\.1:4200 \{/m);
    expect(caddyfile).toMatch(/^chat\.parley\.test \{\n\treverse_proxy 127\.0\.0\.1:4201 \{/m);
    expect(caddyfile).toMatch(/^call\.parley\.test \{\n\treverse_proxy 127\.0\.0\.1:4202 \{/m);
    expect(caddyfile.match(/header_up X-Forwarded-For \{remote_host\}/g)).toHaveLength(3);
  });

  it('leaves compression to the server: no encode directive, so the precompressed copies pass through and are never compressed twice', () => {
    // The server picks the brotli or gzip copy made at build or publish time (apps/server/src/http/static-origin.ts);
    // Caddy's `encode` would compress on every request instead, or stack on an encoded answer.
    expect(renderCaddyfile(settings)).not.toMatch(/^\s*encode\b/m);
  });

  it("uses Caddy's own CA, never installed into the system, for tls internal; valid for Caddy", () => {
    const caddyfile = renderCaddyfile({ ...settings, tls: 'internal' }, { adminOff: true, storageDir: '/tmp/caddy-test' });
    expect(caddyfile).toContain('\tlocal_certs\n\tskip_install_trust');
    expect(caddyfile).toContain('\tadmin off');
    const caddy = caddyValidate(caddyfile);
    if (caddy) expect(caddy.status, caddy.output).toBe(0);
  });
});
