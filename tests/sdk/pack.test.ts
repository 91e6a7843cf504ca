/**
 * The SDK as a portal developer takes it from a release: `npm run pack:sdk` (what the release workflow runs)
 * writes kyso.mjs, kyso.js and an npm package with the types; a portal project installs the package with npm and
 * type-checks against it, and both single-file builds expose the same client.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-sdk-pack-'));
const out = path.join(work, 'release');
const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

// Built into this file's own folder: other files build dist/sdk at the same time.
beforeAll(() => {
  const built = path.join(work, 'dist-sdk');
  execFileSync(process.execPath, [TSC, '-p', 'src/sdk/tsconfig.json', '--outDir', built], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, ['src/sdk/build.mjs', built], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, ['src/sdk/pack.mjs', out, built], { cwd: ROOT, stdio: 'pipe' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('SDK release files', () => {
  it('are the two single-file builds, their maps and the package', () => {
    expect(readdirSync(out).sort()).toEqual([`kyso-sdk-${version}.tgz`, 'kyso.js', 'kyso.js.map', 'kyso.mjs', 'kyso.mjs.map']);
  });

  it('the <script> build defines the global Kyso with the client and its error class', () => {
    const sandbox: Record<string, unknown> = {};
    vm.runInNewContext(readFileSync(path.join(out, 'kyso.js'), 'utf8'), sandbox);
    const kyso = sandbox.Kyso as Record<string, unknown>;
    expect(typeof kyso.KysoClient).toBe('function');
    expect(typeof kyso.KysoError).toBe('function');
  });

  it('a portal project installs the package and type-checks against its types', () => {
    const app = path.join(work, 'portal');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'portal', private: true, type: 'module' }));
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(out, `kyso-sdk-${version}.tgz`)], { cwd: app, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    writeFileSync(path.join(app, 'sign.ts'), [
      "import { KysoClient, KysoError } from 'kyso-sdk';",
      "const kyso = new KysoClient({ installUrl: 'https://portal.example/huong-dan' });",
      'export async function sign(file: File): Promise<Blob> {',
      "  try { return (await kyso.signPdf(file, { reason: 'Nộp hồ sơ' })).blob; }",
      '  catch (e) { if (e instanceof KysoError) throw new Error(e.code); throw e; }',
      '}',
      '',
    ].join('\n'));
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2022', lib: ['ES2022', 'DOM'], types: [] }, files: ['sign.ts'] }));
    const tsc = spawnSync(process.execPath, [TSC, '-p', app], { encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    // And a wrong call is caught by those types, so the check above means something.
    writeFileSync(path.join(app, 'sign.ts'), "import { KysoClient } from 'kyso-sdk';\nnew KysoClient().signPdf(42);\n");
    expect(spawnSync(process.execPath, [TSC, '-p', app], { encoding: 'utf8' }).status).not.toBe(0);
  });
});
