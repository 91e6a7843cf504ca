/**
 * What the dialog tests share: the pages built into this test file's own folder (test files run in parallel,
 * and one file rebuilding dist/ui under another's browser would race), served with the mapping and headers of
 * the app's kyso://ui/ handler, and Debian's Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { resolveUiRequest } from '../../src/app/ui-protocol.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.KYSO_CHROMIUM ?? '/usr/bin/chromium';

/** Builds the dialog pages into a fresh folder and returns it. */
export function buildUi(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-ui-'));
  const built = spawnSync(process.execPath, [path.join(ROOT, 'src/ui/build.mjs'), dir], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`ui build failed: ${built.stderr}`);
  return dir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface UiHost { base: string; browser: Browser; close(): Promise<void> }

/** The built pages as the app serves them (kyso://ui/ mapping, CSP), and a browser. */
export async function startUiHost(): Promise<UiHost> {
  const dir = buildUi();
  const server = http.createServer((req, res) => {
    const r = resolveUiRequest(`kyso://ui${new URL(req.url ?? '/', 'http://x').pathname}`, dir);
    if (!r || !existsSync(r.file) || !statSync(r.file).isFile()) { res.writeHead(404).end(); return; }
    res.writeHead(200, r.headers);
    res.end(readFileSync(r.file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    close: async () => {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
