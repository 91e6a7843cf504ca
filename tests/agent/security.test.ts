/**
 * The agent's security points, each against the real server on loopback with the SoftHSM token and a real
 * WebSocket client: handshake checks (Origin, Host/DNS rebinding, connection cap), consent (asked, denied,
 * remembered, revoked), strict schemas (no path, module or PIN), size caps, serialized token access (queue,
 * BUSY, cancellation on close), timeouts, PIN handling and what reaches the log.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { METHODS } from '../../src/agent/protocol.js';
import { SettingsStore } from '../../src/agent/settings-store.js';
import { createAgentLogger } from '../../src/agent/logger.js';
import { z } from 'zod';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { editEmbeddedCertificate, impossibleNotBefore } from '../helpers/forgery.js';
import { PORTAL, RpcClient, b64, gate, samplePdf, startTestAgent, until, type TestAgent } from './harness.js';

let agent: TestAgent | undefined;
const clients: RpcClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.ws.readyState === c.ws.OPEN) await c.close();
  await agent?.close();
  agent = undefined;
});

async function connect(options: Parameters<typeof RpcClient.connect>[1] = {}): Promise<RpcClient> {
  const c = await RpcClient.connect(agent!.url, options);
  clients.push(c);
  return c;
}

const allowAll = (): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });

function httpGet(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('handshake', () => {
  it('listens on loopback addresses only', async () => {
    agent = await startTestAgent(allowAll());
    expect(agent.server.addresses.length).toBeGreaterThan(0);
    for (const a of agent.server.addresses) expect(['127.0.0.1', '::1']).toContain(a);
  });

  it('refuses a connection without Origin', async () => {
    agent = await startTestAgent(allowAll());
    await expect(RpcClient.connect(agent.url, { origin: null })).rejects.toMatchObject({ status: 403 });
    expect(agent.logText()).toContain('no Origin header');
  });

  it('refuses Origin values that are not http(s) origins', async () => {
    agent = await startTestAgent(allowAll());
    for (const origin of ['null', 'file://', 'chrome-extension://abcdef', 'https://portal.example/path']) {
      await expect(RpcClient.connect(agent.url, { origin }), origin).rejects.toMatchObject({ status: 403 });
    }
  });

  it('refuses a Host that is not loopback:port (DNS rebinding)', async () => {
    agent = await startTestAgent(allowAll());
    const port = agent.server.port;
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `127.0.0.2:${port}`, `[::1]:${port + 1}`]) {
      await expect(RpcClient.connect(agent.url, { host }), host).rejects.toMatchObject({ status: 403 });
    }
    // No Host at all.
    const noHost = await new Promise<number>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', setHost: false, headers: { Connection: 'Upgrade', Upgrade: 'websocket', Origin: PORTAL, 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', () => resolve(101));
      req.end();
    });
    expect(noHost).toBe(403);
    // The HTTP probe too.
    expect((await httpGet(port, '/.well-known/kyso', { Host: `evil.example:${port}`, Origin: PORTAL })).status).toBe(403);
    // The real names are accepted.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) clients.push(await RpcClient.connect(agent.url, { host }));
  });

  it('caps concurrent connections', async () => {
    agent = await startTestAgent(allowAll(), { limits: { maxConnections: 2 } });
    await connect();
    await connect();
    await expect(RpcClient.connect(agent.url)).rejects.toMatchObject({ status: 503 });
    await clients.pop()!.close();
    await until(() => agent!.server.connectionCount() === 1);
    await connect();
  });

  it('answers the Local Network Access probe: reachable for any page, readable (CORS) only by sites the user allowed', async () => {
    agent = await startTestAgent(allowAll());
    const port = agent.server.port;
    const pre = await httpGet(port, '/.well-known/kyso', {
      Host: `127.0.0.1:${port}`, Origin: PORTAL, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Private-Network': 'true',
    }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(PORTAL);
    expect(pre.headers['access-control-allow-private-network']).toBe('true');
    // Not yet allowed: the page reaches the agent (no-cors) but may not read the answer.
    const before = await httpGet(port, '/.well-known/kyso', { Host: `127.0.0.1:${port}`, Origin: PORTAL });
    expect(before.status).toBe(200);
    expect(before.headers['access-control-allow-origin']).toBeUndefined();
    // Once the user allowed the site (first certificates.list), it may.
    const c = await connect();
    expect((await c.call('certificates.list')).error).toBeUndefined();
    const after = await httpGet(port, '/.well-known/kyso', { Host: `127.0.0.1:${port}`, Origin: PORTAL });
    expect(after.headers['access-control-allow-origin']).toBe(PORTAL);
    expect(JSON.parse(after.body)).toEqual({ name: 'kyso', protocolVersion: 1, websocket: `ws://127.0.0.1:${port}/` });
    expect((await httpGet(port, '/.well-known/kyso', { Host: `127.0.0.1:${port}`, Origin: 'https://other.example' })).headers['access-control-allow-origin']).toBeUndefined();
    expect((await httpGet(port, '/etc/passwd', { Host: `127.0.0.1:${port}` })).status).toBe(404);
    expect((await httpGet(port, '/kyso/hello', { Host: `127.0.0.1:${port}` })).status).toBe(404);
  });
});

describe('consent', () => {
  it('a site the user refuses gets ORIGIN_DENIED, and is not asked again at once', async () => {
    const prompter = new ScriptedPrompter({ consent: false });
    agent = await startTestAgent(prompter);
    const c = await connect();
    const info = await c.call('agent.info');
    expect(info.result).toMatchObject({ name: 'kyso', originAllowed: false });
    const r = await c.call('certificates.list');
    expect(r.error?.data.code).toBe('ORIGIN_DENIED');
    expect(r.error?.data.messageVi).toContain('không được phép');
    expect(prompter.calls).toEqual([{ kind: 'consent', origin: PORTAL }]);
    const again = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'don.pdf' });
    expect(again.error?.data.code).toBe('ORIGIN_DENIED');
    expect(prompter.count('consent')).toBe(1);
    expect(agent.server.allowedSites()).toEqual([]);
    if (existsSync(agent.settingsFile)) expect(JSON.parse(readFileSync(agent.settingsFile, 'utf8')).allowedOrigins).toEqual([]);
  });

  it('an allowed site is remembered in the settings file (across restarts) and can be revoked', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    expect((await c.call('certificates.list')).result.certificates.length).toBeGreaterThan(0);
    expect(prompter.count('consent')).toBe(1);
    const saved = JSON.parse(readFileSync(agent.settingsFile, 'utf8'));
    expect(saved).toMatchObject({ version: 1, allowedOrigins: [{ origin: PORTAL }] });
    const settingsFile = agent.settingsFile;
    await agent.close();

    // A new agent over the same settings file: no new prompt.
    const second = new ScriptedPrompter({ consent: false });
    agent = await startTestAgent(second, { settings: new SettingsStore(settingsFile) });
    const c2 = await connect();
    expect((await c2.call('agent.info')).result.originAllowed).toBe(true);
    expect((await c2.call('certificates.list')).result.certificates.length).toBeGreaterThan(0);
    expect(second.count('consent')).toBe(0);

    // Revoked through the API: asked again (and refused this time).
    agent.server.revokeSite(PORTAL);
    expect(agent.server.allowedSites()).toEqual([]);
    expect((await c2.call('certificates.list')).error?.data.code).toBe('ORIGIN_DENIED');
    expect(second.count('consent')).toBe(1);
  });

  it('a revocation written to the settings file by another process applies at the next request', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    await c.call('certificates.list');
    writeFileSync(agent.settingsFile, JSON.stringify({ version: 1, allowedOrigins: [] }));
    prompter.answers.consent = false;
    expect((await c.call('certificates.list')).error?.data.code).toBe('ORIGIN_DENIED');
    expect(prompter.count('consent')).toBe(2);
  });

  it('a pre-granted origin (--trust-origin) is not asked and not written to the settings file', async () => {
    const prompter = new ScriptedPrompter({ consent: false });
    agent = await startTestAgent(prompter, { preGrantedOrigins: [PORTAL] });
    const c = await connect();
    expect((await c.call('certificates.list')).result.certificates.length).toBeGreaterThan(0);
    expect(prompter.count('consent')).toBe(0);
    expect(agent.server.allowedSites()).toEqual([]);
  });

  it('verification needs consent too: a refused site gets ORIGIN_DENIED and no report', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const signed = (await (await connect()).call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') })).result.document;
    prompter.answers.consent = false;
    const other = await connect({ origin: 'https://other.example' });
    for (const method of ['pdf.verify', 'docx.verify']) {
      const r = await other.call(method, { document: signed });
      expect(r.error?.data.code, method).toBe('ORIGIN_DENIED');
      expect(r.result, method).toBeUndefined();
    }
    expect(prompter.calls.filter((x) => x.kind === 'consent').map((x) => (x as { origin: string }).origin)).toEqual([PORTAL, 'https://other.example']);
    expect(Object.entries(METHODS).filter(([, m]) => m.access === 'open').map(([name]) => name)).toEqual(['agent.info']);
  });

  it('a signature whose certificate was edited (impossible date) is reported invalid, not INTERNAL', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const signed = Buffer.from((await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') })).result.document, 'base64');
    const certificate = new X509Certificate(readFileSync(fixtures().pki.signers.rsa.cert)).raw;
    const forged = editEmbeddedCertificate(signed, certificate, impossibleNotBefore);
    const r = await c.call('pdf.verify', { document: b64(forged) });
    expect(r.error).toBeUndefined();
    expect(r.result.allIntact).toBe(false);
    expect(r.result.signatures[0].intact).toBe(false);
    expect(r.result.signatures[0].problems.join('\n')).toMatch(/validity dates are not valid times/);
  });

  it('a plain-http page from a non-loopback host is denied without asking', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect({ origin: 'http://portal.example' });
    expect((await c.call('certificates.list')).error?.data.code).toBe('ORIGIN_DENIED');
    expect(prompter.count('consent')).toBe(0);
  });
});

describe('no method accepts a path, a module or a PIN', () => {
  it('every params schema is closed and names no such field', () => {
    for (const [name, spec] of Object.entries(METHODS)) {
      const json = JSON.stringify(z.toJSONSchema(spec.params, { io: 'input' }));
      expect(json, name).not.toMatch(/"(pin|password|path|file|filePath|module|modulePath|library|url|tsa|timestamp)"\s*:/i);
      const root = z.toJSONSchema(spec.params, { io: 'input' }) as { anyOf?: Array<{ additionalProperties?: unknown }>; additionalProperties?: unknown };
      const objects = root.anyOf ? root.anyOf.filter((s) => 'additionalProperties' in s) : [root];
      for (const o of objects) expect(o.additionalProperties, name).toBe(false);
    }
  });

  it('unknown keys are refused with BAD_REQUEST before anything is asked', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const doc = b64(await samplePdf());
    for (const extra of [{ pin: '1234' }, { modulePath: '/usr/lib/softhsm/libsofthsm2.so' }, { module: 'x' }, { path: '/etc/passwd' }, { filePath: 'C:\\a.pdf' }, { tsa: { url: 'http://x' } }]) {
      const r = await c.call('pdf.sign', { document: doc, fileName: 'a.pdf', ...extra });
      expect(r.error?.code, JSON.stringify(extra)).toBe(-32602);
      expect(r.error?.data.code).toBe('BAD_REQUEST');
      expect(r.error?.data.detail).toMatch(/Unrecognized key/);
    }
    expect((await c.call('hash.sign', { digest: b64(new Uint8Array(32)), algorithm: 'SHA-256', format: 'raw', pin: '1' })).error?.data.code).toBe('BAD_REQUEST');
    expect((await c.call('certificates.list', { module: '/tmp/evil.so' })).error?.data.code).toBe('BAD_REQUEST');
    expect((await c.call('agent.info', { pin: fixtures().softhsm.pin })).error?.data.code).toBe('BAD_REQUEST');
    // A file name is a name: a directory part is refused.
    for (const fileName of ['../../etc/passwd', 'C:\\Users\\a.pdf', '/tmp/a.pdf', 'a\u0000.pdf']) {
      expect((await c.call('pdf.sign', { document: doc, fileName })).error?.data.code, fileName).toBe('BAD_REQUEST');
    }
    expect(prompter.calls).toEqual([]);
  });
});

describe('size caps', () => {
  it('a document over the cap is TOO_LARGE and the connection stays usable', async () => {
    agent = await startTestAgent(allowAll(), { limits: { maxDocumentBytes: 1000, maxFrameBytes: 64 * 1024 } });
    const c = await connect();
    const r = await c.call('pdf.sign', { document: b64(new Uint8Array(3000)), fileName: 'big.pdf' });
    expect(r.error?.data.code).toBe('TOO_LARGE');
    expect((await c.call('pdf.verify', { document: b64(new Uint8Array(3000)) })).error?.data.code).toBe('TOO_LARGE');
    expect((await c.call('agent.info')).result.limits).toEqual({ maxDocumentBytes: 1000, maxFrameBytes: 64 * 1024 });
  });

  it('a frame over the cap closes that connection cleanly (1009); the agent goes on', async () => {
    agent = await startTestAgent(allowAll(), { limits: { maxDocumentBytes: 1000, maxFrameBytes: 64 * 1024 } });
    const c = await connect();
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'pdf.verify', params: { document: 'A'.repeat(100_000) } }));
    expect(await c.closed).toBe(1009);
    expect(agent.logText()).toContain('TOO_LARGE');
    const d = await connect();
    expect((await d.call('agent.info')).result.name).toBe('kyso');
  });

  it('the default caps carry a 50 MB document', async () => {
    agent = await startTestAgent(allowAll());
    expect(agent.server.limits.maxDocumentBytes).toBeGreaterThanOrEqual(50 * 1024 * 1024);
    expect(agent.server.limits.maxFrameBytes).toBeGreaterThan(Math.ceil(50 * 1024 * 1024 / 3) * 4);
  });
});

describe('malformed frames', () => {
  it('answers JSON-RPC errors and keeps the connection', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    expect((await c.sendRaw('{"jsonrpc":"2.0","id":1,')).error).toMatchObject({ code: -32700, data: { code: 'BAD_REQUEST' } });
    expect((await c.sendRaw(Buffer.from([1, 2, 3]), true)).error?.code).toBe(-32600);
    expect((await c.sendRaw('[{"jsonrpc":"2.0","id":1,"method":"agent.info"}]')).error?.code).toBe(-32600);
    expect((await c.sendRawFor(5, '{"id":5,"method":"agent.info"}')).error?.code).toBe(-32600);
    expect((await c.sendRawFor(6, '{"jsonrpc":"2.0","id":6,"method":"agent.info","extra":1}')).error?.code).toBe(-32600);
    expect((await c.call('no.such.method')).error).toMatchObject({ code: -32601 });
    expect((await c.call('agent.info')).result.name).toBe('kyso');
  });
});

describe('one token operation at a time', () => {
  it('queues up to the cap, answers BUSY past it, and runs the queued one after', async () => {
    const release = gate<boolean>();
    let confirms = 0;
    const prompter = new ScriptedPrompter({ consent: true, pin: fixtures().softhsm.pin, confirm: () => (++confirms === 1 ? release.promise : true) });
    agent = await startTestAgent(prompter, { limits: { maxQueued: 1 } });
    const c = await connect();
    const doc = b64(await samplePdf());
    const params = { document: doc, fileName: 'a.pdf', certificateId: certificateId('ec256') };
    const first = c.call('pdf.sign', params, 'first');
    await until(() => prompter.count('confirm') === 1, 5000, 'first confirm');
    const second = c.call('pdf.sign', params, 'second');
    await until(() => c.progressOf('second').includes('queued'), 5000, 'second queued');
    const third = await c.call('pdf.sign', params, 'third');
    expect(third.error?.data.code).toBe('BUSY');
    expect(agent.server.queue.queued).toBe(1);
    release.open(true);
    expect((await first).result?.signature.certificateId).toBe(certificateId('ec256'));
    expect((await second).result?.signature.certificateId).toBe(certificateId('ec256'));
    expect(prompter.count('confirm')).toBe(2);
  });

  it('closing a connection cancels its queued work', async () => {
    const release = gate<boolean>();
    const prompter = new ScriptedPrompter({ consent: true, pin: fixtures().softhsm.pin, confirm: (req) => (req.documents[0]!.fileName === 'a.pdf' ? release.promise : true) });
    agent = await startTestAgent(prompter);
    const a = await connect();
    const b = await connect();
    const doc = b64(await samplePdf());
    const first = a.call('pdf.sign', { document: doc, fileName: 'a.pdf', certificateId: certificateId('rsa') });
    await until(() => prompter.count('confirm') === 1, 5000, 'a confirm');
    void b.call('pdf.sign', { document: doc, fileName: 'b.pdf', certificateId: certificateId('rsa') }, 'b1');
    await until(() => agent!.server.queue.queued === 1, 5000, 'b queued');
    await b.close();
    await until(() => agent!.server.queue.queued === 0, 5000, 'b dropped');
    release.open(true);
    expect((await first).result?.document).toBeTruthy();
    await new Promise((r) => setTimeout(r, 100));
    // b.pdf was never shown to the user nor signed.
    expect(prompter.calls.filter((c) => c.kind === 'confirm').map((c) => (c as { documents: Array<{ fileName: string }> }).documents[0]!.fileName)).toEqual(['a.pdf']);
    expect(prompter.count('pin')).toBe(1);
    expect(agent.logEntries().some((e) => e.method === 'pdf.sign' && e.fileName === 'b.pdf' && e.code === 'USER_CANCELLED')).toBe(true);
  });

  it('a closed connection aborts its running operation\'s prompt', async () => {
    let aborted = false;
    const prompter = new ScriptedPrompter({
      consent: true,
      confirm: (_req, signal) => new Promise<boolean>(() => { signal?.addEventListener('abort', () => { aborted = true; }); }),
    });
    agent = await startTestAgent(prompter);
    const a = await connect();
    void a.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
    await until(() => prompter.count('confirm') === 1);
    await a.close();
    await until(() => aborted, 5000, 'prompt aborted');
    await until(() => !agent!.server.queue.busy, 5000, 'queue free');
  });

  it('request.cancel cancels a request from the page', async () => {
    const prompter = new ScriptedPrompter({ consent: true, confirm: () => new Promise<boolean>(() => {}) });
    agent = await startTestAgent(prompter);
    const c = await connect();
    const r = c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') }, 'x');
    await until(() => prompter.count('confirm') === 1);
    c.notify('request.cancel', { id: 'x' });
    expect((await r).error?.data.code).toBe('USER_CANCELLED');
  });
});

describe('timeouts', () => {
  it('a request past its time is answered TIMEOUT and its prompt is closed', async () => {
    let aborted = false;
    const prompter = new ScriptedPrompter({
      consent: true,
      confirm: (_req, signal) => new Promise<boolean>(() => { signal?.addEventListener('abort', () => { aborted = true; }); }),
    });
    agent = await startTestAgent(prompter, { limits: { requestTimeoutMs: 300 } });
    const c = await connect();
    const started = Date.now();
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
    expect(r.error?.data.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    await until(() => aborted);
  });

  it('an idle connection is closed', async () => {
    agent = await startTestAgent(allowAll(), { limits: { idleTimeoutMs: 200 } });
    const c = await connect();
    expect(await c.closed).toBe(1000);
  });
});

describe('PIN', () => {
  it('a wrong PIN is PIN_INCORRECT, asked once, never retried; the prompter is told to forget it', async () => {
    const prompter = new ScriptedPrompter({ consent: true, confirm: true, pin: '0000000' });
    agent = await startTestAgent(prompter);
    const c = await connect();
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') }, 'wrong-pin');
    expect(r.error?.data.code).toBe('PIN_INCORRECT');
    expect(prompter.count('pin')).toBe(1);
    expect(prompter.count('pinRejected')).toBe(1);
    // The document work that began while the token checked the PIN stopped at its signature: nothing is done.
    expect(c.progressOf('wrong-pin')).toContain('pin');
    expect(c.progressOf('wrong-pin')).not.toContain('done');
    // The right PIN still works (the token was not locked by retries).
    prompter.answers.pin = fixtures().softhsm.pin;
    expect((await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') })).result?.document).toBeTruthy();
  });

  it('each signature asks for the PIN again (logged out after each operation)', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const doc = b64(await samplePdf());
    await c.call('pdf.sign', { document: doc, fileName: 'a.pdf', certificateId: certificateId('rsa') });
    await c.call('pdf.sign', { document: doc, fileName: 'b.pdf', certificateId: certificateId('rsa') });
    expect(prompter.count('pin')).toBe(2);
    expect(prompter.count('confirm')).toBe(2);
  });
});

describe('log', () => {
  it('says who asked what and how it went, and never holds the PIN, the document or the signature', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const pdf = await samplePdf('Hồ sơ mật 12345');
    const r = await c.call('pdf.sign', { document: b64(pdf), fileName: 'hồ sơ.pdf', certificateId: certificateId('rsa'), reason: 'Nộp hồ sơ' });
    expect(r.result).toBeTruthy();
    const hs = await c.call('hash.sign', { digest: b64(new Uint8Array(32).fill(7)), algorithm: 'SHA-256', format: 'raw', certificateId: certificateId('rsa') });
    expect(hs.result).toBeTruthy();
    await c.call('pdf.sign', { document: b64(pdf), fileName: 'x.pdf', certificateId: certificateId('rsa'), pin: fixtures().softhsm.pin });
    // A damaged document: whatever the parser says about it stays out of the log.
    const broken = await c.call('pdf.sign', { document: b64(Buffer.from('%PDF-1.7\n1 0 obj << /Secret (MAT-KHAU-BI-MAT) >> trailer garbage')), fileName: 'hong.pdf', certificateId: certificateId('rsa') });
    expect(broken.error).toBeDefined();
    const text = agent.logText();
    expect(text).not.toContain('MAT-KHAU-BI-MAT');
    expect(text).not.toContain(fixtures().softhsm.pin);
    expect(text).not.toContain(b64(pdf).slice(0, 200));
    expect(text).not.toContain(b64(pdf).slice(1000, 1200));
    expect(text).not.toContain((r.result.document as string).slice(-400, -200));
    expect(text).not.toContain(hs.result.signature);
    expect(text).not.toContain(b64(new Uint8Array(32).fill(7)));
    const entry = agent.logEntries().find((e) => e.event === 'request' && e.method === 'pdf.sign' && e.outcome === 'ok');
    expect(entry).toMatchObject({ origin: PORTAL, method: 'pdf.sign', fileName: 'hồ sơ.pdf', size: pdf.length, outcome: 'ok' });
    expect(typeof entry!.durationMs).toBe('number');
  });

  it('redacts secrets even if a future caller passes them to the logger', () => {
    const lines: string[] = [];
    const log = createAgentLogger({ stream: { write: (l: string) => { lines.push(l); } } });
    log.info({ pin: '24681357', params: { document: 'JVBERi0xLjcK' }, request: { digest: 'ZGlnZXN0', signature: 'c2ln' } }, 'x');
    const text = lines.join('');
    for (const secret of ['24681357', 'JVBERi0xLjcK', 'ZGlnZXN0', 'c2ln']) expect(text).not.toContain(secret);
  });

  it('writes one JSON line per entry, as pino did, censoring at any depth and never throwing', () => {
    const lines: string[] = [];
    const log = createAgentLogger({ level: 'info', stream: { write: (l: string) => { lines.push(l); } } });
    log.debug({ event: 'hidden' }, 'below the level');
    log.info({ event: 'request', deep: { a: { b: { pin: '13572468' } } }, n: 10n }, 'pdf.sign ok');
    const cycle: Record<string, unknown> = { event: 'cycle' };
    cycle.self = cycle;
    expect(() => log.warn(cycle, 'still logged')).not.toThrow();
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first).slice(0, 3)).toEqual(['level', 'time', 'component']);
    expect(first).toMatchObject({ level: 30, component: 'kyso-agent', event: 'request', n: '10', msg: 'pdf.sign ok', deep: { a: { b: { pin: '[redacted]' } } } });
    expect(new Date(first.time as string).toISOString()).toBe(first.time);
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 40, msg: 'still logged' });
    expect(lines.join('')).not.toContain('13572468');
  });
});
