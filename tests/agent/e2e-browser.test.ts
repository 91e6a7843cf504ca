/**
 * End to end in a real browser: Debian's Chromium (playwright-core) opens the example portal
 * (examples/portal) served on its own origin, which loads the SDK's single-file build; `kyso serve` runs with
 * the SoftHSM token on its default port (or a fallback), pre-granting the portal's origin with the PIN from
 * stdin. The test clicks as a citizen would — pick the certificate, attach a real-producer PDF, press "Ký số",
 * download — and checks the downloaded file with pdfsig (trusted chain) and qpdf --check. A page on another
 * origin is refused, and with no agent running the page says Kyso is not installed, with the download link.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDefaultPorts } from '../helpers/default-ports.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, qpdfCheck, withTempFile } from '../helpers/tools.js';
import { startServe, type Served } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.KYSO_CHROMIUM ?? '/usr/bin/chromium';
const DEFAULT_PORTS = [21368, 21369, 21370];

useDefaultPorts(); // this file's agent listens on the product's default ports

let browser: Browser;
let portal: Server;
let portalPort: number;
let agent: Served | undefined;

async function openPortal(host: string): Promise<Page> {
  const page = await browser.newPage({ acceptDownloads: true });
  page.on('pageerror', (e) => { throw e; });
  await page.goto(`http://${host}:${portalPort}/`);
  return page;
}

beforeAll(async () => {
  const built = spawnSync(process.execPath, [path.join(ROOT, 'src/sdk/build.mjs')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`SDK build failed: ${built.stderr}`);
  const { startPortal } = (await import(path.join(ROOT, 'examples/portal/serve.mjs'))) as { startPortal: (port?: number) => Promise<Server> };
  portal = await startPortal(0);
  portalPort = (portal.address() as AddressInfo).port;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await new Promise((r) => portal?.close(r));
});

describe('the example portal in Chromium', () => {
  it('says Kyso is not installed, with the download link, when no agent answers', async () => {
    const page = await openPortal('127.0.0.1');
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await error.getAttribute('data-code')).toBe('NOT_INSTALLED');
    expect(await error.textContent()).toContain('Không kết nối được phần mềm ký số Kyso');
    expect(await error.locator('a').getAttribute('href')).toBe('https://example.gov.vn/huong-dan/cai-dat-kyso');
    await page.close();
  });

  it('signs a real PDF through the agent: pick certificate, attach, "Ký số", download; pdfsig and qpdf accept it', async () => {
    const origin = `http://127.0.0.1:${portalPort}`;
    // No --port: the agent takes its default port or a fallback, and the SDK finds it there.
    agent = await startServe(['--trust-origin', origin, '--pin-stdin'], `${fixtures().softhsm.pin}\n`, { defaultPorts: true });
    expect(DEFAULT_PORTS).toContain(agent.port);
    const page = await openPortal('127.0.0.1');
    await page.locator('#agent.ok').waitFor({ timeout: 20_000 });
    expect(await page.locator('#agent').textContent()).toMatch(/Kyso .* đã sẵn sàng \(\d+ USB token\)/);

    await page.click('#load-certs');
    await page.locator(`#cert option[value="${certificateId('rsa')}"]`).waitFor({ state: 'attached' });
    expect(await page.locator('#cert option').count()).toBe(4);
    await page.selectOption('#cert', certificateId('rsa'));

    const entry = fixtures().corpus.entries.find((e) => e.file.endsWith('signed/pdfsig-linearized-object-streams.pdf'))!;
    const input = readFileSync(entry.file);
    await page.setInputFiles('#file', { name: 'Tờ khai đã ký trước.pdf', mimeType: 'application/pdf', buffer: input });
    await page.fill('#reason', 'Nộp hồ sơ trực tuyến');
    await page.click('#sign');
    await page.locator('#result').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#signer').textContent()).toBe(fixtures().pki.signers.rsa.cn);
    const progress = await page.evaluate(() => (window as unknown as { kysoProgress: string[] }).kysoProgress);
    expect(progress).toEqual(['confirm', 'pin', 'open', 'prepare', 'digest', 'sign', 'embed', 'done']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe('Tờ khai đã ký trước.signed.pdf');
    const signed = readFileSync((await download.path())!);
    expect(signed.subarray(0, input.length).equals(input)).toBe(true);
    withTempFile(signed, 'signed.pdf', (file) => {
      const v = pdfsig(file);
      expect(v.signatures.length, v.output).toBe(entry.priorSignatures + 1);
      expect(v.signatures.every((s) => s.valid), v.output).toBe(true);
      const ours = v.signatures.at(-1)!;
      expect(ours, v.output).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true, signerCommonName: fixtures().pki.signers.rsa.cn });
      const q = qpdfCheck(file);
      expect(q.status, q.output).toBe(0);
    });
    await page.close();
  });

  it('refuses a page on an origin the user has not allowed', async () => {
    expect(agent).toBeDefined();
    // Same server, another origin (localhost instead of 127.0.0.1): not pre-granted, and no one to ask.
    const page = await openPortal('localhost');
    await page.locator('#agent.ok').waitFor({ timeout: 20_000 });
    await page.click('#load-certs');
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible' });
    expect(await error.getAttribute('data-code')).toBe('ORIGIN_DENIED');
    expect(await error.textContent()).toContain('Trang web này không được phép dùng chữ ký số của bạn.');
    expect(await page.locator('#cert option').count()).toBe(1);
    await page.close();
  });
});
