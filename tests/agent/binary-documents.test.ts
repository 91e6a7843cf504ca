/**
 * Binary documents over the real agent (SoftHSM token, scripted prompts): a request announces its documents
 * (id, length, SHA-256) and sends them as binary frames; the answer brings the signed document back the same way.
 * Signed output is checked by pdfsig (and LibreOffice for DOCX when present); lying announces, oversized announces,
 * abandoned uploads and attachments named by another request are refused with typed errors, and what they held
 * is freed. base64 callers keep working beside them.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentWorkers } from '../../src/core/isolation/documents.js';
import type { SignJobArgs } from '../../src/core/isolation/jobs.js';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { MAX_DOCUMENT_BYTES_LIMIT, MAX_TEXT_FRAME_BYTES, defaultLimits } from '../../src/agent/server.js';
import { base64Length, isBase64 } from '../../src/agent/protocol-constants.js';
import { verifyOoxml } from '../../src/core/ooxml/index.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId, testKey } from '../helpers/token.js';
import { signDocument } from '../../src/core/sign-document.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes } from '../helpers/libreoffice-verify.js';
import { corpusDocuments, makePandocDocuments } from '../ooxml/documents.js';
import { RpcClient, b64, samplePdf, sharedTokens, startTestAgent, until, type TestAgent } from './harness.js';

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

const allowAll = (): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });

describe('binary documents', () => {
  it('agent.info offers them', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const info = (await c.call('agent.info')).result;
    expect(info.attachments).toEqual({ maxChunkBytes: 1024 * 1024, idleTimeoutMs: 30_000 });
  });

  it('pdf.sign: the PDF goes as binary frames and comes back as one; pdfsig accepts it; nothing is left held', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const pdf = await samplePdf();
    // Small frames: the document crosses in many of them.
    const r = await c.callBinary('pdf.sign', { document: { attachment: 7 }, fileName: 'Đơn.pdf', certificateId: certificateId('rsa'), reason: 'Nộp hồ sơ' }, [{ id: 7, bytes: pdf }], { chunk: 97, id: 'bin1' });
    expect(r.error).toBeUndefined();
    expect(r.result.document).toEqual({ attachment: expect.any(Number) });
    expect(r.attachments).toHaveLength(1);
    const signed = r.files!.get(r.result.document.attachment)!;
    expect(signed.length).toBe(r.attachments![0]!.length);
    // The announce's SHA-256 goes on from the received document's hash state: it must be the signed file's own.
    expect(r.attachments![0]!.sha256).toBe(createHash('sha256').update(signed).digest('hex'));
    expect(signed.subarray(0, pdf.length).equals(Buffer.from(pdf))).toBe(true);
    withTempFile(signed, 'signed.pdf', (file) => {
      const v = pdfsig(file);
      expect(v.signatures[0], v.output).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true, signerCommonName: fixtures().pki.signers.rsa.cn });
    });
    expect(prompter.calls.find((x) => x.kind === 'confirm')).toMatchObject({ documents: [{ fileName: 'Đơn.pdf', size: pdf.length }] });
    expect(c.progressOf('bin1').at(-1)).toBe('done');
    expect(agent.server.attachmentBytes()).toBe(0);

    // pdf.verify takes the signed PDF the same way.
    const v = await c.callBinary('pdf.verify', { document: { attachment: 8 } }, [{ id: 8, bytes: signed }]);
    expect(v.result).toMatchObject({ allIntact: true, signatures: [{ intact: true, coversWholeFile: true }] });
  });

  it('batch.sign: documents sent as binary frames come back as binary frames, each valid for pdfsig', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const pdf = await samplePdf();
    const r = await c.callBinary('batch.sign', {
      documents: [1, 2, 3].map((n) => ({ type: 'pdf', document: { attachment: n }, fileName: `Hồ sơ ${n}.pdf` })),
      certificateId: certificateId('rsa'),
    }, [1, 2, 3].map((id) => ({ id, bytes: pdf })));
    expect(r.error).toBeUndefined();
    expect(r.attachments).toHaveLength(3);
    for (const d of r.result.documents) {
      expect(d.document).toEqual({ attachment: expect.any(Number) });
      withTempFile(r.files!.get(d.document.attachment)!, 'signed.pdf', (file) => expect(pdfsig(file).signatures[0]?.valid).toBe(true));
    }
    expect(agent.server.attachmentBytes()).toBe(0);
  });

  it('docx.sign: the package goes and comes back as binary frames; our verifier and LibreOffice accept it', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const docx = corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
    const r = await c.callBinary('docx.sign', { document: { attachment: 1 }, fileName: 'Tờ trình.docx', certificateId: certificateId('ec256') }, [{ id: 1, bytes: docx.bytes }], { chunk: 4096 });
    expect(r.error).toBeUndefined();
    const signed = r.files!.get(r.result.document.attachment)!;
    expect((await verifyOoxml(signed)).allValid).toBe(true);
    const v = await c.callBinary('docx.verify', { document: { attachment: 2 } }, [{ id: 2, bytes: signed }]);
    expect(v.result).toMatchObject({ allValid: true, signatures: [{ valid: true, coversAllParts: true }] });
    if (libreOfficeAvailable()) {
      const [lo] = libreOfficeVerifyBytes([{ name: 'binary-signed.docx', bytes: signed }]);
      expect(lo!.error).toBeUndefined();
      expect(lo!.signatures).toEqual([expect.objectContaining({ valid: true, certificateStatus: 0 })]);
    } else if (process.env.CI) {
      throw new Error('LibreOffice (python3-uno) is needed in CI');
    }
  });

  it('a lying length or hash is BAD_REQUEST before anyone is asked, and its bytes are dropped', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await connect();
    const pdf = await samplePdf();
    const params = { document: { attachment: 1 }, fileName: 'a.pdf', certificateId: certificateId('rsa') };
    const short = await c.callBinary('pdf.sign', params, [{ id: 1, bytes: pdf }], { announce: (a) => ({ ...a, length: a.length - 10 }) });
    expect(short.error?.data).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringContaining('more bytes than') });
    const forged = await c.callBinary('pdf.sign', params, [{ id: 2, bytes: pdf }], { announce: (a) => ({ ...a, id: 2, sha256: 'ab'.repeat(32) }) });
    expect(forged.error?.data).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringContaining('SHA-256') });
    // An announce that is not one (bad hash text, negative length) is an invalid request.
    const malformed = await c.callBinary('pdf.sign', params, [{ id: 3, bytes: pdf }], { announce: (a) => ({ ...a, sha256: 'xyz' }) });
    expect(malformed.error).toMatchObject({ code: -32600, data: { code: 'BAD_REQUEST' } });
    expect(prompter.calls).toEqual([]);
    await until(() => agent!.server.attachmentBytes() === 0, 60_000, 'attachments freed');
    // The connection still works.
    expect((await c.call('agent.info')).result.name).toBe('kyso');
  });

  it('an announce over the limit is TOO_LARGE before any byte is sent or buffered; its frames are then dropped quietly', async () => {
    agent = await startTestAgent(allowAll(), { limits: { maxDocumentBytes: 4096 } });
    const c = await connect();
    const big = new Uint8Array(5000).fill(0x25);
    const r = await c.callBinary('pdf.sign', { document: { attachment: 1 }, fileName: 'a.pdf' }, [{ id: 1, bytes: big }], { send: 0 });
    expect(r.error?.data).toMatchObject({ code: 'TOO_LARGE', detail: expect.stringContaining('5000') });
    expect(agent.server.attachmentBytes()).toBe(0);
    // Batch-sized announces add up against the same limit.
    const two = await c.callBinary('pdf.verify', { document: { attachment: 2 } }, [{ id: 2, bytes: big.subarray(0, 3000) }, { id: 3, bytes: big.subarray(0, 3000) }], { send: 0 });
    expect(two.error?.data.code).toBe('TOO_LARGE');
    // A client that sends anyway: the frames are counted and dropped, with no answer per frame.
    const sent = await c.callBinary('pdf.sign', { document: { attachment: 4 }, fileName: 'a.pdf' }, [{ id: 4, bytes: big }], { chunk: 1000 });
    expect(sent.error?.data.code).toBe('TOO_LARGE');
    expect((await c.call('agent.info')).result.name).toBe('kyso');
    expect(c.unmatched).toEqual([]);
    expect(agent.server.attachmentBytes()).toBe(0);
  });

  it('a half upload times out, frees its memory and budget; the connection then signs a whole one', async () => {
    const pdf = await samplePdf();
    agent = await startTestAgent(allowAll(), { limits: { maxDocumentBytes: pdf.length + 100, attachmentIdleMs: 300 } });
    const c = await connect();
    const params = { document: { attachment: 1 }, fileName: 'a.pdf', certificateId: certificateId('rsa') };
    const half = c.callBinary('pdf.sign', params, [{ id: 1, bytes: pdf }], { send: Math.floor(pdf.length / 2), id: 'half' });
    const r = await half;
    expect(r.error?.data).toMatchObject({ code: 'TIMEOUT', detail: expect.stringContaining('attachment 1') });
    expect(agent.server.attachmentBytes()).toBe(0);
    const whole = await c.callBinary('pdf.sign', { ...params, document: { attachment: 3 } }, [{ id: 3, bytes: pdf }]);
    expect(whole.error).toBeUndefined();
    expect(agent.server.attachmentBytes()).toBe(0);
  });

  it('uploads under way share one budget per connection; a page that closes mid-upload leaves nothing held', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const pdf = await samplePdf();
    const max = agent.server.limits.maxDocumentBytes;
    // Announced at the limit, barely started: the budget is reserved (the buffer's pages fill as bytes come).
    void c.callBinary('pdf.sign', { document: { attachment: 1 }, fileName: 'a.pdf' }, [{ id: 1, bytes: new Uint8Array(max) }], { send: 10 });
    await until(() => agent!.server.attachmentBytes() === max, 60_000, 'the upload is under way');
    const busy = await c.callBinary('pdf.sign', { document: { attachment: 2 }, fileName: 'b.pdf' }, [{ id: 2, bytes: pdf }], { send: 0 });
    expect(busy.error?.data.code).toBe('BUSY');
    // Another connection has its own budget.
    const other = await connect();
    const fine = await other.callBinary('pdf.verify', { document: { attachment: 1 } }, [{ id: 1, bytes: pdf }]);
    expect(fine.error).toBeUndefined();
    await c.close();
    await until(() => agent!.server.attachmentBytes() === 0, 60_000, 'freed on close');
  });

  it('an attachment belongs to its request: another request or connection cannot name it', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const a = await connect();
    const b = await connect();
    const pdf = await samplePdf();
    // Request 1 on `a` holds attachment 5 (half sent); request 2 on `a` and a request on `b` name it without announcing it.
    void a.callBinary('pdf.sign', { document: { attachment: 5 }, fileName: 'a.pdf' }, [{ id: 5, bytes: pdf }], { send: 10 });
    await until(() => agent!.server.attachmentBytes() === pdf.length, 60_000, 'the upload is under way');
    const same = await a.call('pdf.sign', { document: { attachment: 5 }, fileName: 'b.pdf' });
    expect(same.error?.data).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringContaining('not announced') });
    const other = await b.call('pdf.verify', { document: { attachment: 5 } });
    expect(other.error?.data).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringContaining('not announced') });
    // Frames for an attachment nobody announced on this connection are refused, not stored.
    const stray = await b.sendRaw(Buffer.from([0, 0, 0, 5, 1, 2, 3]), true);
    expect(stray.error?.data).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringContaining('no request announced') });
    // Reusing an id still under way on the same connection is refused.
    const reuse = await a.callBinary('pdf.verify', { document: { attachment: 5 } }, [{ id: 5, bytes: pdf }], { send: 0 });
    expect(reuse.error?.data).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringContaining('already in use') });
    expect(prompter.calls.filter((x) => x.kind !== 'consent')).toEqual([]);
  });

  it('base64 callers keep working beside them; base64 is checked without a regex', async () => {
    agent = await startTestAgent(allowAll());
    const c = await connect();
    const pdf = await samplePdf();
    const r = await c.call('pdf.sign', { document: b64(pdf), fileName: 'a.pdf', certificateId: certificateId('ec384') });
    expect(typeof r.result.document).toBe('string');
    withTempFile(Buffer.from(r.result.document, 'base64'), 'signed.pdf', (file) => {
      expect(pdfsig(file).signatures[0]).toMatchObject({ valid: true, signerCommonName: fixtures().pki.signers.ec384.cn });
    });
    const bad = await c.call('pdf.verify', { document: `${b64(pdf).slice(0, 40)}!` });
    expect(bad.error?.data.code).toBe('BAD_REQUEST');
    expect(isBase64('QUJD')).toBe(true);
    expect(isBase64('QUI=')).toBe(true);
    expect(isBase64('QQ==')).toBe(true);
    for (const s of ['QQ===', 'Q Q=', 'QUJD\n', 'QU-_', '=QUJD', 'Q=UJ', 'QUJDR', 'QUJDR=']) expect(isBase64(s), s).toBe(false);
    // Across the 64 Ki-character steps of the check: a stray character in the second step, and a long valid one.
    const long = Buffer.alloc(200_000, 7).toString('base64');
    expect(isBase64(long)).toBe(true);
    expect(isBase64(`${long.slice(0, 70_000)}*${long.slice(70_001)}`)).toBe(false);
    expect(isBase64(`${long.slice(0, 65_536)}${long.slice(65_540)}`)).toBe(true);
  });
});

describe('the document limit', () => {
  it('is at most what one base64 text frame carries, and every frame fits a JS string', () => {
    expect(base64Length(MAX_DOCUMENT_BYTES_LIMIT) + 6 * 1024 * 1024).toBeLessThanOrEqual(MAX_TEXT_FRAME_BYTES);
    expect(defaultLimits({ maxDocumentBytes: MAX_DOCUMENT_BYTES_LIMIT }).maxFrameBytes).toBeLessThanOrEqual(MAX_TEXT_FRAME_BYTES);
    expect(() => defaultLimits({ maxDocumentBytes: MAX_DOCUMENT_BYTES_LIMIT + 1 })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => defaultLimits({ maxDocumentBytes: 1024 * 1024 * 1024 })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });
});

describe('signing hands the document to its worker', () => {
  /** A one-page PDF showing a grey image of `size` random bytes (uncompressed), like a scan. */
  function scanPdf(size: number): Uint8Array {
    const width = 100;
    const height = Math.ceil(size / width);
    const image = Buffer.alloc(width * height, 0x80);
    for (let i = 0; i < image.length; i++) image[i] = (i * 2654435761) >>> 24;
    const parts: Buffer[] = [];
    const offsets: number[] = [];
    let at = 0;
    const push = (b: Buffer | string): void => { const x = typeof b === 'string' ? Buffer.from(b, 'latin1') : b; parts.push(x); at += x.length; };
    const obj = (n: number, ...body: Array<Buffer | string>): void => { offsets[n] = at; push(`${n} 0 obj\n`); body.forEach(push); push('\nendobj\n'); };
    push('%PDF-1.7\n');
    obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
    obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
    obj(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>');
    const content = 'q 595 0 0 842 0 0 cm /Im1 Do Q';
    obj(4, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    obj(5, `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${image.length} >>\nstream\n`, image, '\nendstream');
    const xref = at;
    push(`xref\n0 6\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
    return new Uint8Array(Buffer.concat(parts));
  }

  it('a large document is moved, not copied: the caller\'s bytes are detached and the signed file comes back whole', async () => {
    const key = await testKey(sharedTokens(), 'rsa');
    const original = scanPdf(200_000);
    const copy = original.slice();
    const kept = await signDocument(copy, key, {}, 'a.pdf');
    expect(copy.byteLength).toBe(original.length); // without handOver the caller keeps its bytes
    const moved = original.slice();
    const signed = await signDocument(moved, key, {}, 'a.pdf', { handOver: true });
    expect(moved.byteLength).toBe(0);
    expect(signed.bytes.length).toBe(kept.bytes.length);
    expect(Buffer.from(signed.bytes.subarray(0, original.length)).equals(Buffer.from(original))).toBe(true);
    withTempFile(signed.bytes, 'moved.pdf', (file) => expect(pdfsig(file).signatures[0]).toMatchObject({ valid: true, totalDocumentSigned: true }));
    // A small document (it may share Buffer's pool) is copied as before.
    const small = await samplePdf();
    await signDocument(small, key, {}, 'b.pdf', { handOver: true });
    expect(small.byteLength).toBeGreaterThan(0);
    sharedTokens().logoutAll();
  });

  it('a large received document is hashed once: a SHA-256 signature goes on from its arrival hash (pdfsig checks both kinds)', async () => {
    const workers = documentWorkers();
    const run = vi.spyOn(workers, 'run');
    try {
      agent = await startTestAgent(allowAll());
      const c = await connect();
      const pdf = scanPdf(2 * 1024 * 1024);
      const signJob = (): SignJobArgs => run.mock.calls.filter(([kind]) => kind === 'sign').at(-1)![1] as SignJobArgs;
      // RSA signs SHA-256 (the arrival hash's algorithm), P-384 SHA-384 (the worker hashes the file itself).
      for (const signer of ['rsa', 'ec384'] as const) {
        const r = await c.callBinary('pdf.sign', { document: { attachment: 1 }, fileName: 'scan.pdf', certificateId: certificateId(signer) }, [{ id: 1, bytes: pdf }]);
        expect(r.error).toBeUndefined();
        expect(signJob().digestAfterOriginal).toBe('SHA-256');
        const signed = r.files!.get(r.result.document.attachment)!;
        expect(r.result.signature.hash).toBe(signer === 'rsa' ? 'SHA-256' : 'SHA-384');
        withTempFile(signed, 'scan-signed.pdf', (file) => {
          const v = pdfsig(file);
          expect(v.signatures[0], v.output).toMatchObject({ valid: true, totalDocumentSigned: true, signerCommonName: fixtures().pki.signers[signer].cn });
        });
      }
      // Sent as base64 there is no arrival hash: the worker hashes.
      expect((await c.call('pdf.sign', { document: b64(pdf), fileName: 'scan.pdf', certificateId: certificateId('rsa') })).error).toBeUndefined();
      expect(signJob().digestAfterOriginal).toBeUndefined();
    } finally {
      run.mockRestore();
    }
  });
});
