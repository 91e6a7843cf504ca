/**
 * An HTTPS portal in Debian's Chromium signs through wss:// with only Kyso's local CA trusted: the CA is made
 * by `ensureLoopbackTls` and put in the NSS database of the browser's own HOME (as `kyso tls install` does on
 * Linux), `kyso serve` uses the certificate from the same profile, and the page (served over HTTPS for
 * `portal.kyso.test`) must end up on wss. With a HOME whose database lacks the CA, the same page cannot use wss
 * and falls back to ws: the secure path depends on the CA and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDefaultPorts } from '../helpers/default-ports.js';
import { ensureLoopbackTls } from '../../src/agent/tls/index.js';
import { NssStore } from '../../src/agent/tls/nss.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { startServe, type Served } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.KYSO_CHROMIUM ?? '/usr/bin/chromium';
const PORTAL_HOST = 'portal.kyso.test';

const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-https-home-'));
const bareHome = mkdtempSync(path.join(os.tmpdir(), 'kyso-https-bare-'));
const config = path.join(home, 'config');
let portal: Server;
let portalUrl: string;
let portalSpki: string;
let agent: Served;

/** The portal's own certificate, self-signed: Chromium is told to accept it by its key hash, and nothing else. */
function portalCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-portal-tls-'));
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${PORTAL_HOST}`, '-addext', `subjectAltName=DNS:${PORTAL_HOST}`,
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
}

async function launch(browserHome: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, HOME: browserHome },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      `--host-resolver-rules=MAP ${PORTAL_HOST} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${portalSpki}`],
  });
}

useDefaultPorts(); // this file's agent listens on the product's default ports

beforeAll(async () => {
  const built = spawnSync(process.execPath, [path.join(ROOT, 'src/sdk/build.mjs')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`SDK build failed: ${built.stderr}`);
  const portalTls = portalCertificate();
  portalSpki = createHash('sha256').update(new X509Certificate(portalTls.cert).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  const { startPortal } = (await import(path.join(ROOT, 'examples/portal/serve.mjs'))) as { startPortal: (port: number, host: string, tls: { key: string; cert: string }) => Promise<Server> };
  portal = await startPortal(0, '127.0.0.1', portalTls);
  portalUrl = `https://${PORTAL_HOST}:${(portal.address() as AddressInfo).port}`;

  // The local CA into this HOME's NSS database, which Chromium on Linux reads.
  const made = await ensureLoopbackTls(config, { stores: [new NssStore(path.join(home, '.pki', 'nssdb'), 'Chromium', { create: true })] });
  expect(made.trust).toMatchObject([{ ok: true }]);
  agent = await startServe(['--trust-origin', portalUrl, '--pin-stdin'], `${fixtures().softhsm.pin}\n`, { defaultPorts: true, configDir: config, env: { HOME: home } });
});

afterAll(async () => {
  await agent?.stop();
  await new Promise((r) => portal?.close(r));
});

describe('an HTTPS portal in Chromium', () => {
  it('connects over wss with only the local CA trusted, and signs a PDF that pdfsig validates', async () => {
    const browser = await launch(home);
    try {
      const page = await browser.newPage({ acceptDownloads: true });
      await page.goto(`${portalUrl}/`);
      await page.locator('#agent.ok').waitFor({ timeout: 20_000 });
      expect(await page.locator('#agent').getAttribute('data-transport')).toBe('wss');
      // Chrome has not decided Local Network Access for this HTTPS page yet: the SDK told the page to explain it.
      expect(await page.evaluate(async () => (await navigator.permissions.query({ name: 'loopback-network' as PermissionName })).state)).toBe('prompt');
      expect(await page.locator('#progress').textContent()).toContain('hãy bấm "Cho phép"');

      await page.click('#load-certs');
      await page.locator(`#cert option[value="${certificateId('ec256')}"]`).waitFor({ state: 'attached' });
      await page.selectOption('#cert', certificateId('ec256'));
      const entry = fixtures().corpus.entries.find((e) => e.expect === 'sign' && e.priorSignatures === 0)!;
      await page.setInputFiles('#file', { name: 'Hồ sơ.pdf', mimeType: 'application/pdf', buffer: readFileSync(entry.file) });
      await page.click('#sign');
      await page.locator('#result').waitFor({ state: 'visible', timeout: 60_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      withTempFile(readFileSync((await download.path())!), 'signed.pdf', (file) => {
        const v = pdfsig(file);
        expect(v.signatures.at(-1), v.output).toMatchObject({ valid: true, signerCommonName: fixtures().pki.signers.ec256.cn });
      });
    } finally {
      await browser.close();
    }
    expect(agent.stderr()).toMatch(/"event":"connected"[^\n]*"secure":true/);
  });

  it('without the CA in the browser\'s store, wss fails and the page falls back to ws', async () => {
    const browser = await launch(bareHome);
    try {
      const page = await browser.newPage();
      await page.goto(`${portalUrl}/`);
      await page.locator('#agent.ok').waitFor({ timeout: 20_000 });
      expect(await page.locator('#agent').getAttribute('data-transport')).toBe('ws');
    } finally {
      await browser.close();
    }
  });
});
