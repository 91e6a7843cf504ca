/**
 * Remote signing through the real agent: a page signs with a remote certificate over the agent's WebSocket, the
 * remote key source speaks CSC v2 to the strict test service (tests/helpers/csc-server.ts), and its "phone" is
 * driven by the test. The agent has no USB token here (a citizen with only a remote certificate), except where the
 * list shows both. Outputs are checked with pdfsig.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../src/agent/index.js';
import { CSC_PASSWORD } from '../helpers/csc-server.js';
import { TEST_ACCOUNT, testProvider } from '../remote/harness.js';
import { ScriptedPrompter, type ScriptedAnswers } from '../../src/agent/prompters/scripted.js';
import { TokenService } from '../../src/core/token/token-service.js';
import type { RemoteCertificate } from '../../src/core/remote/types.js';
import { ARTIFACTS_DIR, fixtures } from '../helpers/fixtures.js';
import { startCscServer, type CscServer } from '../helpers/csc-server.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes } from '../helpers/libreoffice-verify.js';
import { corpusDocuments, makePandocDocuments } from '../ooxml/documents.js';
import { verifyOoxml } from '../../src/core/ooxml/index.js';
import { harness, type Harness } from '../remote/harness.js';
import { PORTAL, RpcClient, b64, samplePdf, sharedTokens, startTestAgent, until, type TestAgent } from './harness.js';

let agent: TestAgent | undefined;
let server: CscServer | undefined;
let client: RpcClient | undefined;
afterEach(async () => {
  await client?.close();
  await agent?.close();
  await server?.close();
  agent = undefined;
  server = undefined;
  client = undefined;
});

/** No USB token: a real TokenService over no PKCS#11 module. */
const noTokens = (): TokenService => new TokenService([]);

const allow = (extra: ScriptedAnswers = {}): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, ...extra });

interface Setup { h: Harness; prompter: ScriptedPrompter; c: RpcClient; rsa: RemoteCertificate }

async function setup(options: { multisign?: number; prompter?: ScriptedPrompter; tokens?: TokenService } = {}): Promise<Setup> {
  server = await startCscServer({ multisign: options.multisign ?? 1 });
  const h = harness(server);
  const prompter = options.prompter ?? allow();
  agent = await startTestAgent(prompter, { tokens: options.tokens ?? noTokens(), remote: h.source });
  client = await RpcClient.connect(agent.url);
  const rsa = (await h.source.certificates()).find((c) => c.info.keyType === 'RSA')!;
  return { h, prompter, c: client, rsa };
}

/** What left Kyso for the service: every hash it was asked to authorise or sign, and nothing like a document. */
function sentToService(s: CscServer): string {
  return JSON.stringify(s.calls.map((c) => c.body));
}

beforeAll(() => {
  fixtures();
});

describe('certificates.list', () => {
  it('lists remote certificates beside token ones, marked remote with provider and the account\'s label', async () => {
    const { c } = await setup({ tokens: sharedTokens() });
    const r = await c.call('certificates.list');
    expect(r.error).toBeUndefined();
    const certs = r.result.certificates as Array<Record<string, any>>;
    const tokens = certs.filter((x) => x.kind === 'token');
    const remote = certs.filter((x) => x.kind === 'remote');
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((x) => x.token && !x.remote)).toBe(true);
    expect(remote).toHaveLength(2);
    for (const x of remote) {
      expect(x.token).toBeUndefined();
      expect(x.remote).toEqual({ provider: { id: 'csc-test', name: 'CSC thử nghiệm', app: 'Kyso Test Sign' }, account: 'CCCD của tôi', multiSign: 1 });
    }
    // The provider's URL never reaches the page.
    expect(JSON.stringify(r.result)).not.toContain(server!.baseUrl);
  });

  it('an unreachable provider leaves the tokens listed; with no token its typed error reaches the page', async () => {
    const both = await setup({ tokens: sharedTokens() });
    server!.failWith = 503;
    const r = await both.c.call('certificates.list');
    expect(r.error).toBeUndefined();
    expect((r.result.certificates as Array<{ kind: string }>).every((x) => x.kind === 'token')).toBe(true);
    await client!.close();
    await agent!.close();
    await server!.close();
    const only = await setup();
    server!.failWith = 503;
    const e = await only.c.call('certificates.list');
    expect(e.error?.data.code).toBe('REMOTE_UNREACHABLE');
    expect(e.error?.data.messageVi).toContain('Không kết nối được');
  });
});

describe('pdf.sign with a remote certificate', () => {
  it('confirmation names the provider, no PIN, the phone approves; progress says waiting-for-approval; pdfsig accepts the result', async () => {
    const { c, prompter, rsa } = await setup();
    const pdf = await samplePdf('Don de nghi ky so tu xa');
    const r = await c.call('pdf.sign', { document: b64(pdf), fileName: 'Đơn đề nghị.pdf', certificateId: rsa.id, reason: 'Nộp hồ sơ' }, 'r1');
    expect(r.error).toBeUndefined();
    expect(r.result.signature).toMatchObject({ certificateId: rsa.id, signer: fixtures().pki.signers.rsa.cn, level: 'B-B' });
    const signed = Buffer.from(r.result.document, 'base64');
    expect(signed.subarray(0, pdf.length).equals(Buffer.from(pdf))).toBe(true);
    writeFileSync(path.join(ARTIFACTS_DIR, 'agent-remote-signed.pdf'), signed);
    withTempFile(signed, 'remote-signed.pdf', (file) => {
      const v = pdfsig(file);
      expect(v.signatures[0], v.output).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true, signerCommonName: fixtures().pki.signers.rsa.cn });
    });
    expect(c.progressOf('r1')).toEqual(['consent', 'confirm', 'open', 'prepare', 'digest', 'sign', 'waiting-for-approval', 'embed', 'done']);
    const approvalNote = c.notifications.find((n) => n.method === 'progress' && n.params.stage === 'waiting-for-approval')!;
    expect(approvalNote.params).toEqual({ id: 'r1', stage: 'waiting-for-approval' });
    expect(prompter.calls).toEqual([
      { kind: 'consent', origin: PORTAL },
      { kind: 'confirm', origin: PORTAL, documents: [{ fileName: 'Đơn đề nghị.pdf', size: pdf.length }], certificateId: rsa.id, approvals: 1 },
      { kind: 'approval', certificateId: rsa.id, provider: 'csc-test', documents: 1, approval: { index: 1, of: 1 } },
      { kind: 'approvalClosed' },
    ]);
    // Only a digest left the machine: the document's bytes (or their base64) never did.
    expect(server!.phone.requests).toHaveLength(1);
    expect(sentToService(server!)).not.toContain(b64(pdf).slice(0, 64));
  });

  it('without a certificate id the user picks the remote one; declined on the phone is REMOTE_REJECTED and nothing comes back', async () => {
    const { c } = await setup({ prompter: allow({ chooseCertificate: (_origin, list) => list.find((x) => x.info.keyType === 'RSA')!.id }) });
    server!.phone.answer = 'decline';
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf' }, 'r2');
    expect(r.result).toBeUndefined();
    expect(r.error?.data).toMatchObject({ code: 'REMOTE_REJECTED', messageVi: 'Yêu cầu ký đã bị từ chối trên ứng dụng điện thoại.' });
    expect(c.progressOf('r2')).toContain('waiting-for-approval');
    expect(server!.phone.requests[0]!.state).toBe('declined');
  });

  it('the provider stops waiting (expired on its side): REMOTE_TIMEOUT; a provider that is down: REMOTE_UNREACHABLE; both typed, bilingual', async () => {
    const { c, rsa } = await setup();
    server!.phone.answer = 'expire';
    const timedOut = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: rsa.id });
    expect(timedOut.result).toBeUndefined();
    expect(timedOut.error?.data).toMatchObject({ code: 'REMOTE_TIMEOUT', messageVi: 'Hết thời gian chờ xác nhận ký trên điện thoại.' });
    server!.phone.answer = { approveAfterPolls: 1 };
    server!.failWith = 503;
    const down = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: rsa.id });
    expect(down.result).toBeUndefined();
    expect(down.error?.data).toMatchObject({ code: 'REMOTE_UNREACHABLE', messageEn: 'The remote signing service could not be reached.' });
  });

  it('the page cancels while the phone is asked: USER_CANCELLED, the approval window closes and the polling stops', async () => {
    const { c, prompter, rsa } = await setup();
    server!.phone.answer = 'never';
    const answer = c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: rsa.id }, 'r3');
    await until(() => (server!.phone.requests[0]?.polls ?? 0) >= 2, 60_000, 'the phone being polled');
    c.notify('request.cancel', { id: 'r3' });
    const r = await answer;
    expect(r.error?.data.code).toBe('USER_CANCELLED');
    await until(() => prompter.count('approvalClosed') === 1, 60_000, 'the approval window closing');
    const polls = server!.phone.requests[0]!.polls;
    // Another whole signature (polled too) goes by: the cancelled request's polling has stopped (at most one poll in flight).
    server!.phone.answer = { approveAfterPolls: 3 };
    const next = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'b.pdf', certificateId: rsa.id });
    expect(next.error).toBeUndefined();
    expect(server!.phone.requests[0]!.polls).toBeLessThanOrEqual(polls + 1);
    expect(server!.phone.requests[0]!.state).toBe('pending');
  });

  it('Cancel in the approval window stops the remote operation', async () => {
    const { c, rsa } = await setup({ prompter: allow({ approval: 'cancel' }) });
    server!.phone.answer = 'never';
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: rsa.id });
    expect(r.error?.data.code).toBe('USER_CANCELLED');
    const polls = server!.phone.requests[0]!.polls;
    const list = await c.call('certificates.list');
    expect(list.error).toBeUndefined();
    expect(server!.phone.requests[0]!.polls).toBeLessThanOrEqual(polls + 1);
  });
});

describe('batch.sign, docx.sign and hash.sign with a remote certificate', () => {
  it('docx.sign: an OPC signature LibreOffice accepts, approved on the phone', async () => {
    const { c, rsa } = await setup();
    const docx = corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
    const r = await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'Tờ trình.docx', certificateId: rsa.id }, 'd1');
    expect(r.error).toBeUndefined();
    expect(c.progressOf('d1')).toContain('waiting-for-approval');
    const signed = Buffer.from(r.result.document, 'base64');
    expect((await verifyOoxml(signed)).allValid).toBe(true);
    if (libreOfficeAvailable()) {
      const [lo] = libreOfficeVerifyBytes([{ name: 'agent-remote-signed.docx', bytes: signed }]);
      expect(lo!.error).toBeUndefined();
      expect(lo!.signatures).toEqual([expect.objectContaining({ valid: true, certificateStatus: 0 })]);
    } else if (process.env.CI) {
      throw new Error('LibreOffice (python3-uno) is needed in CI');
    }
  });

  it('five documents with multisign 5: one confirmation saying one approval, one phone request for all five, every PDF valid', async () => {
    const { c, prompter, rsa } = await setup({ multisign: 5 });
    const docs = await Promise.all([1, 2, 3, 4, 5].map((i) => samplePdf(`Ho so so ${i}`)));
    const r = await c.call('batch.sign', { certificateId: rsa.id, documents: docs.map((d, i) => ({ type: 'pdf', document: b64(d), fileName: `hồ sơ ${i + 1}.pdf` })) }, 'b1');
    expect(r.error).toBeUndefined();
    expect(server!.phone.requests).toHaveLength(1);
    expect(server!.phone.requests[0]!.hashes).toHaveLength(5);
    expect(prompter.calls.find((x) => x.kind === 'confirm')).toMatchObject({ approvals: 1 });
    expect(prompter.calls.filter((x) => x.kind === 'approval')).toEqual([{ kind: 'approval', certificateId: rsa.id, provider: 'csc-test', documents: 5, approval: { index: 1, of: 1 } }]);
    const waiting = c.notifications.filter((n) => n.method === 'progress' && n.params.stage === 'waiting-for-approval');
    expect(waiting.map((n) => n.params)).toEqual([{ id: 'b1', stage: 'waiting-for-approval', document: 1, documents: 5 }]);
    for (const [i, d] of (r.result.documents as Array<{ document: string }>).entries()) {
      withTempFile(Buffer.from(d.document, 'base64'), `remote-batch-${i}.pdf`, (file) => {
        const v = pdfsig(file);
        expect(v.signatures[0], v.output).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true });
      });
    }
  });

  it('multisign 2: the confirmation says three approvals before the user agrees; declining it asks the phone nothing', async () => {
    const { c, prompter, rsa } = await setup({ multisign: 2, prompter: allow({ confirm: false }) });
    const docs = await Promise.all([1, 2, 3, 4, 5].map((i) => samplePdf(`Ho so ${i}`)));
    const r = await c.call('batch.sign', { certificateId: rsa.id, documents: docs.map((d, i) => ({ type: 'pdf', document: b64(d), fileName: `${i}.pdf` })) });
    expect(r.error?.data.code).toBe('USER_CANCELLED');
    expect(prompter.calls.find((x) => x.kind === 'confirm')).toMatchObject({ approvals: 3 });
    expect(server!.phone.requests).toHaveLength(0);
  });

  it('hash.sign (raw) with a remote certificate: the signature verifies with the certificate returned', async () => {
    const { c, rsa } = await setup();
    const { createHash, verify, X509Certificate } = await import('node:crypto');
    const data = Buffer.from('nội dung do cổng chuẩn bị');
    const digest = createHash('sha256').update(data).digest();
    const r = await c.call('hash.sign', { digest: digest.toString('base64'), algorithm: 'SHA-256', format: 'raw', certificateId: rsa.id });
    expect(r.error).toBeUndefined();
    const cert = new X509Certificate(Buffer.from(r.result.certificate, 'base64'));
    expect(verify('sha256', data, cert.publicKey, Buffer.from(r.result.signature, 'base64'))).toBe(true);
    expect(server!.phone.requests[0]!.hashes).toEqual([digest.toString('base64')]);
  });
});

describe('the agent as the tray app and kyso serve start it', () => {
  it('reads the accounts and providers beside its settings and asks the account\'s password through the Prompter, never a page', async () => {
    server = await startCscServer({ multisign: 1 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-remote-agent-'));
    const { approval: _, ...provider } = testProvider(server);
    writeFileSync(path.join(dir, 'remote-providers.json'), JSON.stringify({ version: 1, providers: [{ ...provider, approval: { pollIntervalMs: 5 } }] }));
    writeFileSync(path.join(dir, 'remote-accounts.json'), JSON.stringify({ version: 1, accounts: [TEST_ACCOUNT] }));
    const prompter = allow({ remoteSecret: CSC_PASSWORD });
    const started = await startAgent({ tokens: noTokens(), prompter, port: 0, dataDir: dir, logLevel: 'error' });
    try {
      client = await RpcClient.connect(`ws://127.0.0.1:${started.port}/`);
      const r = await client.call('certificates.list');
      expect(r.error).toBeUndefined();
      expect((r.result.certificates as Array<{ kind: string; remote: { account: string } }>).map((c) => [c.kind, c.remote.account])).toEqual([['remote', 'CCCD của tôi'], ['remote', 'CCCD của tôi']]);
      expect(prompter.calls.filter((c) => c.kind === 'remoteSecret')).toEqual([{ kind: 'remoteSecret', secret: 'password', provider: 'csc-test', account: TEST_ACCOUNT.id }]);
      const id = (r.result.certificates as Array<{ id: string; keyType: string }>).find((c) => c.keyType === 'RSA')!.id;
      const signed = await client.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: id });
      expect(signed.error).toBeUndefined();
      // A wrong password: the provider refuses, and the page learns it typed.
      prompter.answers.remoteSecret = 'sai';
      await client.close();
      await started.close();
      const again = await startAgent({ tokens: noTokens(), prompter, port: 0, dataDir: dir, logLevel: 'error' });
      try {
        client = await RpcClient.connect(`ws://127.0.0.1:${again.port}/`);
        const refused = await client.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: id });
        expect(refused.error?.data.code).toBe('REMOTE_AUTH_FAILED');
      } finally {
        await client.close();
        client = undefined;
        await again.close();
      }
    } finally {
      await client?.close();
      client = undefined;
      await started.close().catch(() => undefined);
    }
  });
});
