/**
 * A real browser: Chromium opens a portal page at https://dichvucong.example.gov.vn (mapped to 127.0.0.1 with
 * --host-resolver-rules), and the page talks to Kyso's plugin endpoint the way the plugin's page library does
 * (the transport is written here, not the library's code): frames built with JSON.stringify and
 * `location.hostname` as `domain`, replies split on '*' and handed to `window[<callback>]` or to the promise of
 * "callbackDefault". Kyso sees the Origin Chromium sends, asks consent for it, and signs.
 */
import { existsSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { generateLoopbackCertificates } from '../../src/agent/tls/generator.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { samplePdf, startTestAgent, type TestAgent } from '../agent/harness.js';

const CHROMIUM = process.env.KYSO_CHROMIUM ?? '/usr/bin/chromium';
const PORTAL_HOST = 'dichvucong.example.gov.vn';
const EVIL_HOST = 'evil.example';

/** The page side: the library's transport, in a page (own code). */
const PAGE = `<!doctype html><meta charset="utf-8"><script>
let ws; const waiting = [];
function connect(url) {
  return new Promise((resolve, reject) => {
    ws = new WebSocket(url);
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('no connection'));
    ws.onmessage = (m) => {
      const parts = m.data.split('*');
      const w = waiting.shift();
      if (parts[1] === 'callbackDefault') w(parts[0]); else { window[parts[1]](parts[0]); w(undefined); }
    };
  });
}
function send(functionID, callback, args) {
  const callInfo = { functionID, funcCallback: callback ? callback.name : 'callbackDefault', args };
  callInfo.domain = window.location.hostname;
  return new Promise((r) => { waiting.push(r); ws.send(JSON.stringify(callInfo)); });
}
let signed;
function signCallback(data) { signed = JSON.parse(JSON.parse(data)[0]); }
</script>`;

const loopback = generateLoopbackCertificates();
let agent: TestAgent;
let server: https.Server;
let browser: Browser | undefined;
let pagePort: number;
const available = existsSync(CHROMIUM);

beforeAll(async () => {
  if (!available) return;
  const prompter = new ScriptedPrompter({ consent: (o) => o.startsWith(`https://${PORTAL_HOST}:`), confirm: true, pin: fixtures().softhsm.pin, chooseCertificate: certificateId('rsa') });
  agent = await startTestAgent(prompter, { tls: { key: loopback.serverKey, cert: loopback.serverCert }, vnpt: { ports: [0] } });
  server = https.createServer({ key: loopback.serverKey, cert: loopback.serverCert }, (_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pagePort = (server.address() as AddressInfo).port;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--ignore-certificate-errors',
      `--host-resolver-rules=MAP ${PORTAL_HOST} 127.0.0.1, MAP ${EVIL_HOST} 127.0.0.1`],
  });
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await agent?.close();
});

describe.skipIf(!available)('Chromium', () => {
  it('a portal page checks the plugin, sets its licence, reads the certificate and signs; the reply reaches window.signCallback', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`https://${PORTAL_HOST}:${pagePort}/`);
    const pdf = Buffer.from(await samplePdf()).toString('base64');
    const result = await page.evaluate(async ({ url, pdf }) => {
      const w = window as unknown as {
        connect(u: string): Promise<void>; send(id: number, cb: unknown, args: unknown[]): Promise<string | undefined>;
        signCallback: (d: string) => void; signed: unknown;
      };
      await w.connect(url);
      const plugin = await w.send(7, null, ['']);
      const licence = JSON.parse((await w.send(6, null, ['a-licence-key']))!).code;
      const cert = JSON.parse((await w.send(0, null, ['0']))!);
      const item = JSON.stringify({ data: pdf, type: 'pdf', sigOptions: JSON.stringify(null) });
      await w.send(10, w.signCallback, [JSON.stringify([item]), cert.serial, '1', '1']);
      // `signed` is a script-level binding of the page: read it through an expression.
      const signed = (0, eval)('signed') as { code: number; data: string; serial: string };
      return { plugin, licence, serial: cert.serial, signed };
    }, { url: `wss://localhost:${agent.server.vnptPort}/plugin`, pdf });
    expect(result.plugin).toBe('1');
    expect(result.licence).toBe(1);
    expect(result.signed.code).toBe(0);
    expect(result.signed.serial).toBe(result.serial);
    withTempFile(new Uint8Array(Buffer.from(result.signed.data, 'base64')), 'signed.pdf', (f) => {
      expect(pdfsig(f).signatures[0]).toMatchObject({ valid: true, signerCommonName: fixtures().pki.signers.rsa.cn });
    });
    const log = agent.logEntries().filter((e) => e.event === 'vnpt-call');
    expect(log.every((e) => e.origin === `https://${PORTAL_HOST}:${pagePort}`)).toBe(true);
    await context.close();
  });

  it('another site, even one that writes the portal into `domain`, gets nothing', async () => {
    const context = await browser!.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`https://${EVIL_HOST}:${pagePort}/`);
    const reply = await page.evaluate(async ({ url, host }) => {
      const ws = new WebSocket(url);
      await new Promise((r) => { ws.onopen = r; });
      return new Promise<string>((resolve) => {
        ws.onmessage = (m) => resolve(String(m.data));
        ws.send(JSON.stringify({ functionID: 45, funcCallback: 'callbackDefault', args: [''], domain: host }));
      });
    }, { url: `wss://localhost:${agent.server.vnptPort}/plugin`, host: PORTAL_HOST });
    expect(reply).toBe('*callbackDefault');
    await context.close();
  });
});
