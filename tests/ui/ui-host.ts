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
function buildUi(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-ui-'));
  const built = spawnSync(process.execPath, [path.join(ROOT, 'src/ui/build.mjs'), dir], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`ui build failed: ${built.stderr}`);
  return dir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** The empty page of startUiHost's server. */
const BLANK = '/blank.html';

export interface UiHost { base: string; browser: Browser; close(): Promise<void> }

/** The built pages as the app serves them (kyso://ui/ mapping, CSP), and a browser. */
export async function startUiHost(): Promise<UiHost> {
  const dir = buildUi();
  const server = http.createServer((req, res) => {
    if (req.url === BLANK) {
      // Where the reused tab waits between dialogs: same origin and opener policy as the dialogs, so Chromium keeps
      // the tab's renderer (about:blank would put the next dialog in a new browsing context group, a new process).
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "default-src 'none'", 'cross-origin-opener-policy': 'same-origin' }).end();
      return;
    }
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
export interface DialogHostPage<R> {
  page: Page;
  outcome: Promise<DialogOutcome<R>>;
  errors: string[];
  /** The extra bridge methods the page called, in order. */
  calls: string[];
  /** Ends the visit: the tab goes back for the next dialog (a clock-driven page is closed). */
  close(): Promise<void>;
}
export interface OpenDialogOptions {
  viewport?: { width: number; height: number };
  /** Extra bridge methods and their answers (`arg`: what the page passed, JSON-shaped). */
  calls?: Record<string, (arg?: unknown) => unknown>;
  manualClock?: boolean;
  /** Whether console warnings count as errors (default: yes). */
  warningsAreErrors?: boolean;
}

interface HostMessage { type: string; result?: unknown; method?: string; arg?: unknown }
interface Visit { errors: string[]; warningsAreErrors: boolean; handle(message: HostMessage): unknown }
interface Tab { page: Page; visit?: Visit }

/**
 * A tab that loads one dialog after another. A new tab costs Chromium a renderer and its helpers (about 1 CPU-s,
 * measured with process accounting), and the suite opens dozens: one tab per browser, each dialog a fresh
 * navigation. Its bridge and listeners are installed once and serve whichever visit is current.
 */
async function newTab(page: Page): Promise<Tab> {
  const tab: Tab = { page };
  page.on('pageerror', (e) => tab.visit?.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' || (m.type() === 'warning' && tab.visit?.warningsAreErrors)) tab.visit?.errors.push(m.text());
  });
  page.on('response', (r) => { if (r.status() >= 400) tab.visit?.errors.push(`${r.status()} ${r.url()}`); });
  await page.exposeFunction('kysoTestHost', (message: HostMessage) => tab.visit?.handle(message) ?? null);
  await page.addInitScript(() => {
    const host = (window as unknown as { kysoTestHost(m: unknown): Promise<unknown> }).kysoTestHost;
    // Playwright carries JSON only: a dropped file's bytes travel as an array.
    const plain = (arg: unknown): unknown => {
      const bytes = (arg as { bytes?: unknown } | undefined)?.bytes;
      return bytes instanceof Uint8Array ? { ...(arg as object), bytes: Array.from(bytes) } : arg;
    };
    const bridge: Record<string, unknown> = {
      init: () => host({ type: 'init' }),
      submit: async (result: unknown) => { await host({ type: 'submit', result }); },
      cancel: async () => { await host({ type: 'cancel' }); },
    };
    // The visit's extra methods ride in the URL, since this script is installed once for every visit.
    for (const m of new URLSearchParams(location.search).get('kysoBridge')?.split(',').filter(Boolean) ?? []) {
      bridge[m] = (arg?: unknown) => host({ type: 'call', method: m, arg: plain(arg) });
    }
    (window as unknown as { kysoBridge: unknown }).kysoBridge = Object.freeze(bridge);
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return tab;
}

const idleTabs = new WeakMap<Browser, Tab>();

/**
 * Opens a dialog page with a test host behind window.kysoBridge (extra calls answered by `calls`), in the
 * browser's reused tab. `manualClock`: a tab of its own (Playwright's clock stays with its context), whose timers
 * run only when the test advances the clock, so "disabled for a moment after it shows" is checked as a state, not
 * raced against a loaded machine.
 */
export async function openDialog<Req, R>(browser: Browser, base: string, kind: string, request: Req, options: OpenDialogOptions = {}): Promise<DialogHostPage<R>> {
  const viewport = options.viewport ?? { width: 560, height: 420 };
  let tab: Tab;
  if (options.manualClock) {
    tab = await newTab(await browser.newPage({ viewport }));
    const t0 = Date.parse('2026-12-01T08:00:00+07:00');
    await tab.page.clock.install({ time: t0 });
    await tab.page.clock.pauseAt(t0 + 60_000); // before the page loads: no timer exists yet, time then stands still
  } else {
    const idle = idleTabs.get(browser);
    idleTabs.delete(browser);
    tab = idle && !idle.page.isClosed() ? idle : await newTab(await browser.newPage({ viewport }));
    await tab.page.setViewportSize(viewport);
  }
  const { page } = tab;
  const errors: string[] = [];
  const calls: string[] = [];
  let settle!: (v: DialogOutcome<R>) => void;
  const outcome = new Promise<DialogOutcome<R>>((r) => { settle = r; });
  const visit: Visit = {
    errors,
    warningsAreErrors: options.warningsAreErrors ?? true,
    handle: (message) => {
      if (message.type === 'init') return request;
      if (message.type === 'submit') settle({ submitted: message.result as R });
      if (message.type === 'cancel') settle({ cancelled: true });
      if (message.type === 'call') { calls.push(message.method!); return options.calls?.[message.method!]?.(message.arg) ?? null; }
      return null;
    },
  };
  tab.visit = visit;
  const query = new URLSearchParams({ kysoBridge: Object.keys(options.calls ?? {}).join(',') });
  await page.goto(`${base}/${kind}/index.html?${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((e: unknown) => { throw new Error(`${String(e)}\n${errors.join('\n')}`); });
  await page.evaluate(() => document.fonts.ready);
  const close = async (): Promise<void> => {
    if (tab.visit !== visit) return;
    tab.visit = undefined;
    if (options.manualClock || page.isClosed()) { await page.close(); return; }
    // An empty page until the next visit: nothing of this dialog runs on (timers) or reports into another test.
    await page.goto(`${base}${BLANK}`);
    idleTabs.set(browser, tab);
  };
  return { page, outcome, errors, calls, close };
}
