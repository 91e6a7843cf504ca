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
import { chromium, type Browser, type Page } from 'playwright-core';
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

export interface DialogOutcome<R> { submitted?: R; cancelled?: true }
export interface DialogHostPage<R> { page: Page; outcome: Promise<DialogOutcome<R>>; errors: string[]; calls: string[] }
export interface OpenDialogOptions { viewport?: { width: number; height: number }; calls?: Record<string, () => unknown>; manualClock?: boolean }

/**
 * Opens a dialog page with a test host behind window.kysoBridge (extra calls answered by `calls`).
 * `manualClock`: the page's timers run only when the test advances Playwright's clock, so "disabled for a
 * moment after it shows" is checked as a state, not raced against a loaded machine.
 */
export async function openDialog<Req, R>(browser: Browser, base: string, kind: string, request: Req, options: OpenDialogOptions = {}): Promise<DialogHostPage<R>> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 560, height: 420 } });
  if (options.manualClock) {
    const t0 = Date.parse('2026-12-01T08:00:00+07:00');
    await page.clock.install({ time: t0 });
    await page.clock.pauseAt(t0 + 60_000); // before the page loads: no timer exists yet, time then stands still
  }
  const errors: string[] = [];
  const calls: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  let settle!: (v: DialogOutcome<R>) => void;
  const outcome = new Promise<DialogOutcome<R>>((r) => { settle = r; });
  await page.exposeFunction('kysoTestHost', (message: { type: string; result?: R; method?: string }) => {
    if (message.type === 'init') return request;
    if (message.type === 'submit') settle({ submitted: message.result! });
    if (message.type === 'cancel') settle({ cancelled: true });
    if (message.type === 'call') { calls.push(message.method!); return options.calls?.[message.method!]?.() ?? null; }
    return null;
  });
  await page.addInitScript((extra: string[]) => {
    const host = (window as unknown as { kysoTestHost(m: unknown): Promise<unknown> }).kysoTestHost;
    const bridge: Record<string, unknown> = {
      init: () => host({ type: 'init' }),
      submit: async (result: unknown) => { await host({ type: 'submit', result }); },
      cancel: async () => { await host({ type: 'cancel' }); },
    };
    for (const m of extra) bridge[m] = () => host({ type: 'call', method: m });
    (window as unknown as { kysoBridge: unknown }).kysoBridge = Object.freeze(bridge);
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  }, Object.keys(options.calls ?? {}));
  await page.goto(`${base}/${kind}/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((e: unknown) => { throw new Error(`${String(e)}\n${errors.join('\n')}`); });
  await page.evaluate(() => document.fonts.ready);
  return { page, outcome, errors, calls };
}
