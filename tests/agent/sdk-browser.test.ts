/**
 * The SDK's own behaviour in Chromium against the real agent (in-process, SoftHSM token, scripted prompts):
 * typed calls, progress callbacks, cancellation through an AbortSignal (the agent drops the request),
 * a lost connection (DISCONNECTED) and the reconnect on the next call, `tokens.changed`, agent errors with
 * their Vietnamese text, and the client-side size check.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { fixtures } from '../helpers/fixtures.js';
import { corpusDocuments, makePandocDocuments } from '../ooxml/documents.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { verifyOoxml } from '../../src/core/ooxml/index.js';
import { gate, samplePdf, startTestAgent, until, type TestAgent } from './harness.js';
import type { AgentServerOptions } from '../../src/agent/server.js';
import { TokenService } from '../../src/core/token/token-service.js';
import { startCscServer } from '../helpers/csc-server.js';
import { harness } from '../remote/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.KYSO_CHROMIUM ?? '/usr/bin/chromium';

let browser: Browser;
/** One context for the file: a page per test, without a new context's start-up for each (the pages share no state the tests read). */
let context: BrowserContext;
let site: http.Server;
let origin: string;
let agent: TestAgent | undefined;
let page: Page;

beforeAll(async () => {
  const built = spawnSync(process.execPath, [path.join(ROOT, 'src/sdk/build.mjs')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`SDK build failed: ${built.stderr}`);
  const sdk = readFileSync(path.join(ROOT, 'dist/sdk/kyso.js'));
  site = http.createServer((req, res) => {
    if (req.url === '/kyso.js') return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(sdk);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>SDK</title><script src="/kyso.js"></script>');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  context = await browser.newContext();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => site?.close(r));
});

afterEach(async () => {
  await page?.close();
  await agent?.close();
  agent = undefined;
});

async function open(prompter: ScriptedPrompter, limits = {}, parts: Partial<Pick<AgentServerOptions, 'tokens' | 'remote'>> = {}): Promise<void> {
  agent = await startTestAgent(prompter, { limits, ...parts });
  page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.evaluate((port) => {
    const w = window as unknown as { kyso: unknown; Kyso: { KysoClient: new (o: unknown) => unknown } };
    w.kyso = new w.Kyso.KysoClient({ ports: [port], installUrl: 'https://example.gov.vn/kyso' });
  }, agent.server.port);
}

const allowAll = (): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });

describe('SDK in Chromium', () => {
  it('lists certificates, signs with progress, signs a hash and verifies', async () => {
    await open(allowAll());
    const pdf = Buffer.from(await samplePdf()).toString('base64');
    const out = await page.evaluate(async ({ pdf, id }) => {
      const kyso = (window as any).kyso;
      const certs = await kyso.listCertificates();
      const stages: string[] = [];
      const bytes = Uint8Array.from(atob(pdf), (c) => c.charCodeAt(0));
      const signed = await kyso.signPdf(new Blob([bytes], { type: 'application/pdf' }), { fileName: 'Tờ khai.pdf', certificateId: id, reason: 'Nộp hồ sơ', onProgress: (s: string) => stages.push(s) });
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc')));
      const hash = await kyso.signHash(digest, { algorithm: 'SHA-256', format: 'raw', certificateId: id });
      const verified = await kyso.verifyPdf(signed.blob);
      let b = '';
      signed.bytes.forEach((x: number) => { b += String.fromCharCode(x); });
      return { certs: certs.map((c: { id: string }) => c.id), stages, fileName: signed.fileName, signer: signed.signature.signer, doc: btoa(b), hashLen: hash.signature.length, alg: hash.signatureAlgorithm, verified };
    }, { pdf, id: certificateId('rsa') });
    expect(out.certs).toContain(certificateId('rsa'));
    expect(out.stages).toEqual(['confirm', 'pin', 'open', 'prepare', 'digest', 'sign', 'embed', 'done']);
    expect(out.fileName).toBe('Tờ khai.signed.pdf');
    expect(out.signer).toBe(fixtures().pki.signers.rsa.cn);
    expect(out.hashLen).toBe(256);
    expect(out.alg).toBe('RSASSA-PKCS1-v1_5');
    expect(out.verified.allIntact).toBe(true);
    expect(out.verified.signatures[0].reason).toBe('Nộp hồ sơ');
    withTempFile(Buffer.from(out.doc, 'base64'), 'sdk.pdf', (file) => expect(pdfsig(file).signatures[0]?.valid).toBe(true));
  });

  it('signBatch: a PDF and a DOCX (type from the name) with one confirmation; a bad one is named by `document`', async () => {
    const prompter = allowAll();
    await open(prompter);
    const pdf = Buffer.from(await samplePdf()).toString('base64');
    const docx = Buffer.from((corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!).bytes).toString('base64');
    const out = await page.evaluate(async ({ pdf, docx, id }) => {
      const kyso = (window as any).kyso;
      const bytes = (b: string): Uint8Array => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
      const signed = await kyso.signBatch([
        { file: new File([bytes(pdf)], 'Đơn.pdf', { type: 'application/pdf' }), reason: 'Nộp hồ sơ' },
        { file: new File([bytes(docx)], 'Tờ trình.docx') },
      ], { certificateId: id });
      let bad: { code: string; document?: number } | undefined;
      try {
        await kyso.signBatch([{ file: bytes(pdf), fileName: 'a.pdf' }, { file: new TextEncoder().encode('not a package'), fileName: 'b.docx' }], { certificateId: id });
      } catch (e) {
        bad = { code: (e as { code: string }).code, document: (e as { document?: number }).document };
      }
      let b = '';
      (signed[0].bytes as Uint8Array).forEach((x) => { b += String.fromCharCode(x); });
      return { names: signed.map((x: { fileName: string }) => x.fileName), pdf: btoa(b), docxSigner: signed[1].signature.signer, bad };
    }, { pdf, docx, id: certificateId('ec384') });
    expect(out.names).toEqual(['Đơn.signed.pdf', 'Tờ trình.signed.docx']);
    expect(out.docxSigner).toBe(fixtures().pki.signers.ec384.cn);
    expect(out.bad).toEqual({ code: 'DOCUMENT_CORRUPT', document: 2 });
    expect(prompter.count('confirm')).toBe(1);
    withTempFile(Buffer.from(out.pdf, 'base64'), 'batch.pdf', (file) => expect(pdfsig(file).signatures[0]?.valid).toBe(true));
  });

  it('signBatch of 40 documents: more documents than one request used to announce as binary frames; one confirmation, each signed', async () => {
    const prompter = allowAll();
    await open(prompter);
    const pdf = Buffer.from(await samplePdf()).toString('base64');
    const out = await page.evaluate(async ({ pdf, id }) => {
      const kyso = (window as any).kyso;
      const bytes = Uint8Array.from(atob(pdf), (c) => c.charCodeAt(0));
      const signed = await kyso.signBatch(Array.from({ length: 40 }, (_, i) => ({ file: bytes, fileName: `hồ sơ ${i + 1}.pdf` })), { certificateId: id });
      let b = '';
      (signed[39].bytes as Uint8Array).forEach((x) => { b += String.fromCharCode(x); });
      return { count: signed.length, last: signed[39].fileName, pdf: btoa(b) };
    }, { pdf, id: certificateId('rsa') });
    expect(out).toMatchObject({ count: 40, last: 'hồ sơ 40.signed.pdf' });
    expect(prompter.count('confirm')).toBe(1);
    withTempFile(Buffer.from(out.pdf, 'base64'), 'batch-40.pdf', (file) => expect(pdfsig(file).signatures[0]?.valid).toBe(true));
  });

  it('documents cross as binary frames both ways (no document in a text frame); with an agent that does not offer them, as base64', async () => {
    // Small frames, so that each document takes several.
    await open(allowAll(), { attachmentChunkBytes: 512 });
    const seen = { sentBinary: 0, receivedBinary: 0, largestText: 0 };
    const watch = (ws: import('playwright-core').WebSocket): void => {
      ws.on('framesent', (f) => { if (typeof f.payload === 'string') seen.largestText = Math.max(seen.largestText, f.payload.length); else seen.sentBinary++; });
      ws.on('framereceived', (f) => { if (typeof f.payload === 'string') seen.largestText = Math.max(seen.largestText, f.payload.length); else seen.receivedBinary++; });
    };
    page.on('websocket', watch);
    // A PDF of some kilobytes (varied text, so it does not compress to nothing): larger than any JSON answer, so a
    // text frame that large could only be a document.
    const pdf = await samplePdf(Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 10007).toString(36)).join(' '));
    const docx = (corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!).bytes;
    const sign = (p: Page): Promise<{ pdf: string; docx: string; verified: boolean }> => p.evaluate(async ({ pdf, docx, id }) => {
      const kyso = (window as any).kyso;
      const bytes = (b: string): Uint8Array => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
      const b64 = (u: Uint8Array): string => { let s = ''; u.forEach((x) => { s += String.fromCharCode(x); }); return btoa(s); };
      const signedPdf = await kyso.signPdf(bytes(pdf), { fileName: 'Đơn.pdf', certificateId: id });
      const signedDocx = await kyso.signDocx(new File([bytes(docx)], 'Tờ trình.docx'), { certificateId: id });
      const verified = (await kyso.verifyPdf(signedPdf.bytes)).allIntact;
      return { pdf: b64(signedPdf.bytes), docx: b64(signedDocx.bytes), verified };
    }, { pdf: Buffer.from(pdf).toString('base64'), docx: Buffer.from(docx).toString('base64'), id: certificateId('rsa') });

    const out = await sign(page);
    expect(out.verified).toBe(true);
    withTempFile(Buffer.from(out.pdf, 'base64'), 'sdk-binary.pdf', (file) => expect(pdfsig(file).signatures[0]).toMatchObject({ valid: true, totalDocumentSigned: true }));
    expect((await verifyOoxml(Buffer.from(out.docx, 'base64'))).allValid).toBe(true);
    // Sent: the PDF, the DOCX and the signed PDF to verify; received: the two signed documents, each in 512-byte frames.
    expect(seen.sentBinary).toBeGreaterThanOrEqual(Math.ceil(pdf.length / 512) * 2 + Math.ceil(docx.length / 512));
    expect(seen.receivedBinary).toBeGreaterThanOrEqual(Math.ceil(pdf.length / 512) + Math.ceil(docx.length / 512));
    expect(seen.largestText).toBeLessThan(Math.min(pdf.length, docx.length));

    // An older agent: its agent.info has no `attachments`, so the SDK sends and reads base64.
    await page.close();
    page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.routeWebSocket(/^wss?:\/\/127\.0\.0\.1:\d+\/$/, (route) => {
      const server = route.connectToServer();
      route.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const msg = typeof m === 'string' ? JSON.parse(m) as { result?: { name?: string; attachments?: unknown } } : undefined;
        if (msg?.result?.name === 'kyso') delete msg.result.attachments;
        route.send(msg ? JSON.stringify(msg) : m);
      });
    });
    await page.evaluate((port) => {
      const w = window as unknown as { kyso: unknown; Kyso: { KysoClient: new (o: unknown) => unknown } };
      w.kyso = new w.Kyso.KysoClient({ ports: [port], secure: 'never' });
    }, agent!.server.port);
    Object.assign(seen, { sentBinary: 0, receivedBinary: 0, largestText: 0 });
    page.on('websocket', watch);
    const old = await sign(page);
    expect(old.verified).toBe(true);
    withTempFile(Buffer.from(old.pdf, 'base64'), 'sdk-base64.pdf', (file) => expect(pdfsig(file).signatures[0]).toMatchObject({ valid: true }));
    expect((await verifyOoxml(Buffer.from(old.docx, 'base64'))).allValid).toBe(true);
    expect(seen).toMatchObject({ sentBinary: 0, receivedBinary: 0 });
    expect(seen.largestText).toBeGreaterThan(docx.length);
  });

  it('an AbortSignal cancels: the call rejects USER_CANCELLED and the agent drops the request', async () => {
    let aborted = false;
    const prompter = new ScriptedPrompter({ consent: true, confirm: (_r, signal) => new Promise<boolean>(() => { signal?.addEventListener('abort', () => { aborted = true; }); }) });
    await open(prompter);
    const pdf = Buffer.from(await samplePdf()).toString('base64');
    const code = page.evaluate(async ({ pdf, id }) => {
      const kyso = (window as any).kyso;
      const controller = new AbortController();
      (window as any).controller = controller;
      try {
        await kyso.signPdf(Uint8Array.from(atob(pdf), (c) => c.charCodeAt(0)), { certificateId: id, signal: controller.signal });
        return 'signed';
      } catch (e) {
        return (e as { code: string }).code;
      }
    }, { pdf, id: certificateId('rsa') });
    await until(() => prompter.count('confirm') === 1, 10_000, 'confirm prompt');
    await page.evaluate(() => (window as any).controller.abort());
    expect(await code).toBe('USER_CANCELLED');
    await until(() => aborted, 5000, 'agent aborted the prompt');
    await until(() => !agent!.server.queue.busy, 5000, 'queue free');
  });

  it('agent errors arrive with their code and Vietnamese text; too large is refused before sending', async () => {
    await open(new ScriptedPrompter({ consent: false }), { maxDocumentBytes: 1000 });
    const out = await page.evaluate(async () => {
      const kyso = (window as any).kyso;
      const result: Record<string, string> = {};
      try { await kyso.listCertificates(); } catch (e: any) { result.denied = `${e.code}|${e.userMessage('vi')}`; }
      try { await kyso.signPdf(new Uint8Array(5000)); } catch (e: any) { result.large = e.code; }
      return result;
    });
    expect(out.denied).toBe('ORIGIN_DENIED|Trang web này không được phép dùng chữ ký số của bạn.');
    expect(out.large).toBe('TOO_LARGE');
  });

  it('a lost connection fails the call in flight with DISCONNECTED; the next call reconnects', async () => {
    const held = gate<boolean>();
    const prompter = new ScriptedPrompter({ consent: true, confirm: () => held.promise, pin: fixtures().softhsm.pin });
    await open(prompter, { idleTimeoutMs: 60_000 });
    const pdf = Buffer.from(await samplePdf()).toString('base64');
    const first = page.evaluate(async ({ pdf, id }) => {
      try {
        await (window as any).kyso.signPdf(Uint8Array.from(atob(pdf), (c) => c.charCodeAt(0)), { certificateId: id });
        return 'signed';
      } catch (e) { return (e as { code: string }).code; }
    }, { pdf, id: certificateId('rsa') });
    await until(() => prompter.count('confirm') === 1, 10_000, 'confirm prompt');
    // The agent restarts (e.g. the user quit and reopened Kyso) on the same port.
    const port = agent!.server.port;
    const settings = agent!.settings;
    await agent!.close();
    expect(await first).toBe('DISCONNECTED');
    held.open(true);
    agent = await startTestAgent(allowAll(), { ports: [port], settings });
    const info = await page.evaluate(async () => (await (window as any).kyso.info()).name);
    expect(info).toBe('kyso');
  });

  it('with no agent on its ports: NOT_INSTALLED with the download link', async () => {
    await open(allowAll());
    await agent!.close();
    agent = undefined;
    const out = await page.evaluate(async () => {
      try { await (window as any).kyso.listCertificates(); return 'connected'; } catch (e: any) { return `${e.code}|${e.installUrl}`; }
    });
    expect(out).toBe('NOT_INSTALLED|https://example.gov.vn/kyso');
  });
});

describe('SDK in Chromium with a remote certificate (test CSC service, no USB token)', () => {
  it('listCertificates marks it remote; signPdf reports waiting-for-approval; signBatch passes document/documents to onProgress; the PDFs are valid', async () => {
    const server = await startCscServer({ multisign: 3 });
    try {
      const h = harness(server);
      const rsa = (await h.source.certificates()).find((c) => c.info.keyType === 'RSA')!;
      await open(new ScriptedPrompter({ consent: true, confirm: true }), {}, { tokens: new TokenService([]), remote: h.source });
      const pdf = Buffer.from(await samplePdf('Ky so tu xa')).toString('base64');
      const out = await page.evaluate(async ({ pdf, id }) => {
        const kyso = (window as any).kyso;
        const certs = await kyso.listCertificates();
        const bytes = Uint8Array.from(atob(pdf), (c) => c.charCodeAt(0));
        const stages: string[] = [];
        const signed = await kyso.signPdf(new Blob([bytes], { type: 'application/pdf' }), { fileName: 'Tờ khai.pdf', certificateId: id, onProgress: (s: string) => stages.push(s) });
        const batchStages: Array<[string, unknown]> = [];
        const batch = await kyso.signBatch([1, 2, 3].map((i) => ({ file: new Blob([bytes], { type: 'application/pdf' }), fileName: `hồ sơ ${i}.pdf` })), {
          certificateId: id, onProgress: (s: string, d: unknown) => batchStages.push([s, d ?? null]),
        });
        const b64 = (u: Uint8Array): string => { let b = ''; u.forEach((x) => { b += String.fromCharCode(x); }); return btoa(b); };
        return {
          certs: certs.map((c: { id: string; kind: string; remote?: unknown; token?: unknown }) => ({ id: c.id, kind: c.kind, remote: c.remote ?? null, token: c.token ?? null })),
          stages, batchStages, docs: [signed.bytes, ...batch.map((x: { bytes: Uint8Array }) => x.bytes)].map(b64),
        };
      }, { pdf, id: rsa.id });
      expect(out.certs.find((c) => c.id === rsa.id)).toEqual({ id: rsa.id, kind: 'remote', token: null, remote: { provider: { id: 'csc-test', name: 'CSC thử nghiệm', app: 'Kyso Test Sign' }, account: 'CCCD của tôi', multiSign: 3 } });
      expect(out.stages).toEqual(['confirm', 'open', 'prepare', 'digest', 'sign', 'waiting-for-approval', 'embed', 'done']);
      // One approval for the three documents, reported once, naming the first document it covers.
      expect(out.batchStages.filter(([s]) => s === 'waiting-for-approval')).toEqual([['waiting-for-approval', { document: 1, documents: 3 }]]);
      expect(out.batchStages.filter(([s]) => s === 'sign').map(([, d]) => d)).toEqual(expect.arrayContaining([{ document: 1, documents: 3 }, { document: 3, documents: 3 }]));
      expect(server.phone.requests.map((r) => r.hashes.length)).toEqual([1, 3]);
      for (const [i, doc] of out.docs.entries()) {
        withTempFile(Buffer.from(doc, 'base64'), `sdk-remote-${i}.pdf`, (file) => {
          const v = pdfsig(file);
          expect(v.signatures[0], v.output).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true, signerCommonName: fixtures().pki.signers.rsa.cn });
        });
      }
    } finally {
      await server.close();
    }
  });
});
