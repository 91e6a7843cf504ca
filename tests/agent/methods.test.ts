/**
 * The methods as a portal uses them, end to end over the WebSocket with the SoftHSM token: results checked by
 * tools we did not write (pdfsig, qpdf, OpenSSL, Node's crypto), prompts checked for what they name.
 */
import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentWorkers } from '../../src/core/isolation/documents.js';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { startAgentServer } from '../../src/agent/server.js';
import { SettingsStore } from '../../src/agent/settings-store.js';
import { createAgentLogger } from '../../src/agent/logger.js';
import type { TokenSource } from '../../src/agent/methods/context.js';
import { Pkcs11Module } from '../../src/core/token/module.js';
import pkcs11 from 'pkcs11js';
import { fixtures } from '../helpers/fixtures.js';
import { paintOverPage } from '../validation/forgeries.js';
import { parseAnchorFile } from '../../src/core/validation/trust.js';
import { certificateId } from '../helpers/token.js';
import { opensslCmsVerify, pdfsig, qpdfCheck, withTempFile } from '../helpers/tools.js';
import { PORTAL, RpcClient, b64, samplePdf, sharedTokens, startTestAgent, until, type TestAgent } from './harness.js';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';

let agent: TestAgent | undefined;
const clients: RpcClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.ws.readyState === c.ws.OPEN) await c.close();
  await agent?.close();
  agent = undefined;
});

async function connect(): Promise<RpcClient> {
  const c = await RpcClient.connect(agent!.url);
  clients.push(c);
  return c;
}

const allowAll = (extra: ConstructorParameters<typeof ScriptedPrompter>[0] = {}): ScriptedPrompter =>
  new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin, ...extra });

describe('agent.info', () => {
  it('says what the agent is without consent and without identities', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const r = (await c.call('agent.info')).result;
    expect(r).toMatchObject({ name: 'kyso', protocolVersion: 1, formats: ['pdf', 'docx', 'xlsx', 'pptx'], originAllowed: false });
    expect(r.methods).toEqual(['agent.info', 'certificates.list', 'pdf.sign', 'hash.sign', 'pdf.verify', 'docx.sign', 'batch.sign', 'docx.verify']);
    expect(r.tokenCount).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain(fixtures().softhsm.tokenLabel);
    expect(prompter.calls).toEqual([]);
  });
});

describe('certificates.list', () => {
  it('lists the token\'s three signing certificates with subject fields and DER', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const { certificates } = (await c.call('certificates.list')).result;
    const ids = certificates.map((x: { id: string }) => x.id).sort();
    expect(ids).toEqual((['rsa', 'ec256', 'ec384'] as const).map(certificateId).sort());
    const rsa = certificates.find((x: { id: string }) => x.id === certificateId('rsa'));
    expect(rsa.subject.commonName).toBe(fixtures().pki.signers.rsa.cn);
    expect(rsa.token.label).toBe(fixtures().softhsm.tokenLabel);
    expect(rsa.validity).toBe('valid');
    expect(new X509Certificate(Buffer.from(rsa.certificate, 'base64')).fingerprint256.replace(/:/g, '').toLowerCase()).toBe(rsa.id);
  });
});

describe('pdf.sign', () => {
  it('signs with the certificate the page names; pdfsig and qpdf accept the result; progress is reported', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const pdf = await samplePdf();
    const r = await c.call('pdf.sign', { document: b64(pdf), fileName: 'Đơn đề nghị.pdf', certificateId: certificateId('rsa'), reason: 'Nộp hồ sơ', location: 'Hà Nội' }, 'sig1');
    expect(r.error).toBeUndefined();
    const signed = Buffer.from(r.result.document, 'base64');
    expect(signed.subarray(0, pdf.length).equals(Buffer.from(pdf))).toBe(true); // incremental update
    expect(r.result.signature).toMatchObject({ fieldName: 'Signature1', certificateId: certificateId('rsa'), signer: fixtures().pki.signers.rsa.cn, level: 'B-B', hash: 'SHA-256' });
    withTempFile(signed, 'signed.pdf', (file) => {
      const v = pdfsig(file);
      expect(v.signatures[0], v.output).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true, signerCommonName: fixtures().pki.signers.rsa.cn });
      expect(qpdfCheck(file).status, qpdfCheck(file).output).toBe(0);
    });
    // The user was asked: confirmation names the site, the file and the certificate; then the PIN.
    expect(prompter.calls).toEqual([
      { kind: 'consent', origin: PORTAL },
      { kind: 'confirm', origin: PORTAL, documents: [{ fileName: 'Đơn đề nghị.pdf', size: pdf.length }], certificateId: certificateId('rsa') },
      { kind: 'pin', token: fixtures().softhsm.tokenLabel, certificateId: certificateId('rsa'), pinState: 'ok' },
    ]);
    expect(c.progressOf('sig1')).toEqual(['consent', 'confirm', 'pin', 'open', 'prepare', 'digest', 'sign', 'embed', 'done']);
  });

  it('without a certificate id, the user chooses; declining the confirmation is USER_CANCELLED and nothing is signed', async () => {
    const prompter = allowAll({ chooseCertificate: certificateId('ec384'), confirm: false });
    agent = await startTestAgent(prompter);
    const c = await connect();
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf' });
    expect(r.error?.data.code).toBe('USER_CANCELLED');
    expect(prompter.calls.map((x) => x.kind)).toEqual(['consent', 'chooseCertificate', 'confirm']);
    expect(prompter.count('pin')).toBe(0);
    prompter.answers.confirm = true;
    const ok = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf' });
    expect(ok.result.signature.certificateId).toBe(certificateId('ec384'));
    expect(ok.result.signature.hash).toBe('SHA-384');
  });

  it('the PDF is parsed once: the check leaves it open for the signing, and the request releases it, signed or declined', async () => {
    const workers = documentWorkers();
    const run = vi.spyOn(workers, 'run');
    const forget = vi.spyOn(workers, 'forget');
    try {
      const prompter = allowAll({ confirm: false });
      agent = await startTestAgent(prompter);
      const c = await connect();
      const params = { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') };
      expect((await c.call('pdf.sign', params)).error?.data.code).toBe('USER_CANCELLED');
      expect(forget).toHaveBeenCalledTimes(1);
      prompter.answers.confirm = true;
      expect((await c.call('pdf.sign', params)).error).toBeUndefined();
      expect(forget).toHaveBeenCalledTimes(2);
      const [checked, signed] = run.mock.calls.filter(([kind]) => kind === 'assertSignable' || kind === 'sign').slice(-2);
      const ticket = (checked![1] as { keep?: number }).keep;
      expect(ticket).toBeTypeOf('number');
      expect(signed![0]).toBe('sign');
      expect((signed![1] as { kept?: number }).kept).toBe(ticket);
      expect(forget.mock.calls[1]![1]).toBe(ticket);
      expect(signed![2]?.worker).toBe(forget.mock.calls[1]![0]);
    } finally {
      run.mockRestore();
      forget.mockRestore();
    }
  });

  it('on a site already allowed, the token finds the named certificate while the worker checks the PDF; a bad document is still the first thing said, before any prompt', async () => {
    const workers = documentWorkers();
    const events: string[] = [];
    const run = workers.run.bind(workers);
    const spy = vi.spyOn(workers, 'run').mockImplementation((kind, ...rest) => {
      const answer = run(kind, ...rest);
      if (kind === 'assertSignable') answer.then(() => events.push('checked'), () => events.push('checked'));
      return answer;
    });
    try {
      const shared = sharedTokens();
      const tokens: TokenSource = {
        tokens: () => shared.tokens(),
        certificates: () => { events.push('lookup'); return shared.certificates(); },
        certificate: (id) => { events.push('lookup'); return shared.certificate(id); },
        signingKey: (...args) => shared.signingKey(...args),
        logoutAll: () => shared.logoutAll(),
      };
      const prompter = allowAll();
      agent = await startTestAgent(prompter, { tokens });
      const c = await connect();
      const params = { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') };
      // Not yet allowed: the document first, then the consent prompt, then the token.
      expect((await c.call('pdf.sign', params)).error).toBeUndefined();
      expect(events).toEqual(['checked', 'lookup']);
      events.length = 0;
      // Allowed: the token is read while the check runs in its worker.
      expect((await c.call('pdf.sign', params)).error).toBeUndefined();
      expect(events).toEqual(['lookup', 'checked']);
      // A damaged PDF naming a certificate that is not there: the document's error, not the token's, and nobody asked.
      const asked = prompter.calls.length;
      const broken = await c.call('pdf.sign', { document: b64(Buffer.from('%PDF-1.7\n garbage')), fileName: 'a.pdf', certificateId: 'f'.repeat(64) });
      expect(broken.error?.data.code).toBe('DOCUMENT_CORRUPT');
      expect(prompter.calls.slice(asked)).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('a signature with a certificate already read lists no slots and searches the token once, for its key (on a USB token each call is a round trip)', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter, { tokenPollMs: 3_600_000 }); // no tokens.changed poll in between
    const c = await connect();
    const params = { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('ec256') };
    expect((await c.call('pdf.sign', params)).error).toBeUndefined();
    const searches = vi.spyOn(Pkcs11Module.prototype, 'findObjects');
    const listings = vi.spyOn(Pkcs11Module.prototype, 'slotsWithToken');
    const infos = vi.spyOn(Pkcs11Module.prototype, 'tokenInfo');
    try {
      const signed = await c.call('pdf.sign', params);
      expect(signed.error).toBeUndefined();
      // One search, for its key, which asks for one handle (one C_FindObjects).
      expect(searches.mock.calls.map(([, template, max]) => [template.map((a) => a.type), max])).toEqual([[[pkcs11.CKA_CLASS, pkcs11.CKA_ID], 1]]);
      expect(listings).not.toHaveBeenCalled();
      // Its slot read again: while the document is checked (still there?), and before the PIN (today's PIN state).
      expect(infos).toHaveBeenCalledTimes(2);
      withTempFile(Buffer.from(signed.result.document, 'base64'), 'signed.pdf', (file) => {
        const v = pdfsig(file);
        expect(v.signatures[0], v.output).toMatchObject({ valid: true, signerCommonName: fixtures().pki.signers.ec256.cn });
      });
    } finally {
      searches.mockRestore();
      listings.mockRestore();
      infos.mockRestore();
    }
  });

  it('a visible signature placed by the page; and "ask" goes to the prompter', async () => {
    const prompter = allowAll({ placement: { placement: { page: 1, rect: [300, 80, 560, 170] }, appearance: {} } });
    agent = await startTestAgent(prompter);
    const c = await connect();
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('ec256'), placement: { page: 1, rect: [50, 50, 250, 120] }, appearance: { show: { time: false } } });
    expect(r.error).toBeUndefined();
    const asked = await c.call('pdf.sign', { document: r.result.document, fileName: 'a.pdf', certificateId: certificateId('ec256'), placement: 'ask' });
    expect(asked.error).toBeUndefined();
    expect(prompter.count('placement')).toBe(1);
    withTempFile(Buffer.from(asked.result.document, 'base64'), 'v.pdf', (file) => {
      const v = pdfsig(file);
      expect(v.signatures.map((s) => s.valid), v.output).toEqual([true, true]);
    });
  });

  it('refuses what is not a PDF, an unknown certificate, and a damaged PDF', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    expect((await c.call('pdf.sign', { document: b64(Buffer.from('hello')), fileName: 'a.txt' })).error?.data.code).toBe('UNSUPPORTED_FORMAT');
    expect((await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: 'f'.repeat(64) })).error?.data.code).toBe('CERTIFICATE_NOT_FOUND');
    const broken = await c.call('pdf.sign', { document: b64(Buffer.from('%PDF-1.7\n garbage')), fileName: 'a.pdf', certificateId: certificateId('rsa') });
    expect(broken.error?.data.code).toBe('DOCUMENT_CORRUPT');
    // Owner-password PDFs (qpdf): permissions that forbid signing, and a user password needed to open.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-agent-encrypted-'));
    const plain = path.join(dir, 'plain.pdf');
    writeFileSync(plain, await samplePdf());
    for (const [options, code] of [[['', 'owner', '256', '--modify=none'], 'DOCUMENT_SIGNING_FORBIDDEN'], [['user', 'owner', '256'], 'DOCUMENT_ENCRYPTED']] as const) {
      const file = path.join(dir, `${code}.pdf`);
      expect(spawnSync('qpdf', ['--encrypt', ...options, '--', plain, file]).status).toBe(0);
      const refused = await c.call('pdf.sign', { document: b64(readFileSync(file)), fileName: 'a.pdf', certificateId: certificateId('rsa') });
      expect(refused.error?.data.code).toBe(code);
    }
    // A file that cannot be signed is refused before anyone is asked to confirm or type a PIN.
    expect(prompter.calls.filter((x) => x.kind === 'confirm' || x.kind === 'pin')).toEqual([]);
  });
});

describe('hash.sign', () => {
  const content = Buffer.from('Nội dung do cổng dịch vụ công chuẩn bị');

  it('cms: a detached SignedData over the portal\'s digest that OpenSSL verifies against the content', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const digest = createHash('sha256').update(content).digest();
    const r = await c.call('hash.sign', { digest: b64(digest), algorithm: 'SHA-256', format: 'cms', certificateId: certificateId('rsa'), fileName: 'ho-so.pdf' });
    expect(r.error).toBeUndefined();
    expect(r.result).toMatchObject({ format: 'cms', algorithm: 'SHA-256', signatureAlgorithm: 'RSASSA-PKCS1-v1_5', certificateId: certificateId('rsa') });
    const v = opensslCmsVerify(Buffer.from(r.result.signature, 'base64'), content);
    expect(v.ok, v.output).toBe(true);
  });

  it('raw: RSA PKCS#1 v1.5 and DER ECDSA signatures that verify with the certificate', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    for (const [signer, algorithm, node] of [['rsa', 'SHA-256', 'sha256'], ['ec256', 'SHA-256', 'sha256'], ['ec384', 'SHA-384', 'sha384']] as const) {
      const digest = createHash(node).update(content).digest();
      const r = await c.call('hash.sign', { digest: b64(digest), algorithm, format: 'raw', certificateId: certificateId(signer) });
      expect(r.error, signer).toBeUndefined();
      const key = createPublicKey(readFileSync(fixtures().pki.signers[signer].cert));
      expect(cryptoVerify(node, content, key, Buffer.from(r.result.signature, 'base64')), signer).toBe(true);
      expect(r.result.signatureAlgorithm).toBe(signer === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'ECDSA');
    }
  });

  it('a digest of the wrong length for its algorithm is BAD_REQUEST', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const r = await c.call('hash.sign', { digest: b64(new Uint8Array(20)), algorithm: 'SHA-256', format: 'raw' });
    expect(r.error?.data.code).toBe('BAD_REQUEST');
    expect(prompter.calls).toEqual([]);
  });
});

describe('pdf.verify', () => {
  it('reports the signatures of a signed file to a site the user allowed', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const signed = (await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa'), reason: 'Đồng ý' })).result.document;
    const other = await RpcClient.connect(agent.url, { origin: 'https://other.example' });
    clients.push(other);
    const r = (await other.call('pdf.verify', { document: signed })).result;
    expect(r.allIntact).toBe(true);
    expect(r.signatures[0]).toMatchObject({ kind: 'signature', intact: true, coversWholeFile: true, reason: 'Đồng ý', signer: { commonName: fixtures().pki.signers.rsa.cn } });
    expect(prompter.calls.filter((x) => x.kind === 'consent').map((x) => (x as { origin: string }).origin)).toEqual([PORTAL, 'https://other.example']);
    const unsigned = (await other.call('pdf.verify', { document: b64(await samplePdf()) })).result;
    expect(unsigned.signatures).toEqual([]);
    expect(unsigned.allValid).toBe(false);
  });

  it('gives a portal the history: a red box painted after signing is "modified" on page 1, though the signature is intact', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const signed = (await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') })).result.document;
    const clean = (await c.call('pdf.verify', { document: signed })).result;
    expect(clean).toMatchObject({ allIntact: true, allValid: true });
    // The test PKI is no built-in anchor: intact, nothing after it, but untrusted.
    expect(clean.signatures[0]).toMatchObject({ verdict: 'untrusted', changesAfter: 'none', changedPages: [], trusted: false, level: 'B-B', time: { source: 'claimed' } });
    expect(clean.signatures[0].time.local).toMatch(/\+07:00$/);
    const forged = await paintOverPage(new Uint8Array(Buffer.from(signed, 'base64')));
    const r = (await c.call('pdf.verify', { document: b64(forged) })).result;
    expect(r).toMatchObject({ allIntact: true, allValid: false });
    expect(r.signatures[0]).toMatchObject({ intact: true, verdict: 'modified', changesAfter: 'disallowed', changedPages: [1] });
  });

  it('trusts the roots the user configured (kyso serve --trust-anchor), never one a page sends', async () => {
    const root = parseAnchorFile(new Uint8Array(readFileSync(fixtures().pki.rootCa)), fixtures().pki.rootCa);
    agent = await startTestAgent(allowAll(), { trustAnchors: root });
    const c = await connect();
    const signed = (await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') })).result.document;
    const r = (await c.call('pdf.verify', { document: signed })).result;
    expect(r.signatures[0]).toMatchObject({ verdict: 'valid', trusted: true, changesAfter: 'none' });
    expect((await c.call('pdf.verify', { document: signed, trustAnchor: 'x' })).error?.data.code).toBe('BAD_REQUEST');
  });
});

describe('tokens.changed', () => {
  it('is sent to connected pages when a token is plugged in or out', async () => {
    const list: ReturnType<TokenSource['tokens']> = [];
    const fake: TokenSource = { tokens: () => [...list], certificates: () => [], signingKey: async () => { throw new Error('no'); }, logoutAll: () => {} };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-agent-'));
    const server = await startAgentServer({ tokens: fake, prompter: new ScriptedPrompter(), settings: new SettingsStore(path.join(dir, 's.json')), ports: [0], tokenPollMs: 50, logger: createAgentLogger({ level: 'silent' }) });
    try {
      const c = await RpcClient.connect(`ws://127.0.0.1:${server.port}/`);
      clients.push(c);
      expect((await c.call('agent.info')).result.tokenCount).toBe(0);
      list.push({ id: 'm#1#A', label: 'A', serial: '1', manufacturer: 'x', model: 'y', modulePath: 'm', vendor: 'v', flags: {} as never, pinState: 'ok' });
      await until(() => c.notifications.some((n) => n.method === 'tokens.changed'), 3000, 'tokens.changed');
      expect(c.notifications.find((n) => n.method === 'tokens.changed')!.params).toEqual({ tokenCount: 1 });
      list.pop();
      await until(() => c.notifications.filter((n) => n.method === 'tokens.changed').length === 2, 3000, 'second tokens.changed');
      expect(c.notifications.filter((n) => n.method === 'tokens.changed')[1]!.params).toEqual({ tokenCount: 0 });
    } finally {
      await server.close();
    }
  });
});

describe('ports', () => {
  it('falls back to the next port when the first is taken', async () => {
    const first = await startTestAgent(allowAll());
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-agent-'));
      const second = await startAgentServer({ tokens: { tokens: () => [], certificates: () => [], certificate: () => undefined, signingKey: async () => { throw new Error('no'); }, logoutAll: () => {} }, prompter: new ScriptedPrompter(), settings: new SettingsStore(path.join(dir, 's.json')), ports: [first.server.port, 0], logger: createAgentLogger({ level: 'silent' }) });
      expect(second.port).not.toBe(first.server.port);
      await second.close();
      await expect(startAgentServer({ tokens: { tokens: () => [], certificates: () => [], certificate: () => undefined, signingKey: async () => { throw new Error('no'); }, logoutAll: () => {} }, prompter: new ScriptedPrompter(), settings: new SettingsStore(path.join(dir, 's.json')), ports: [first.server.port], logger: createAgentLogger({ level: 'silent' }) })).rejects.toThrow(/no free port/);
    } finally {
      await first.close();
    }
  });
});
