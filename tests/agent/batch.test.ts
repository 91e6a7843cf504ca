/**
 * batch.sign over the WebSocket with the SoftHSM token: a PDF and a DOCX from real producers signed with one
 * certificate choice, one confirmation listing both, one PIN; the outputs checked by pdfsig and LibreOffice. A
 * bad document stops the batch before anyone is asked and the error says which one; a failure while signing
 * returns nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes } from '../helpers/libreoffice-verify.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { corpusDocuments, makePandocDocuments } from '../ooxml/documents.js';
import { RpcClient, b64, samplePdf, startTestAgent, type TestAgent } from './harness.js';

let agent: TestAgent | undefined;
afterEach(async () => { await agent?.close(); agent = undefined; });

const docx = (): Uint8Array => (corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!).bytes;
const realPdf = (): Buffer => readFileSync(fixtures().corpus.entries.find((e) => e.expect === 'sign' && e.priorSignatures === 0)!.file);

describe('batch.sign', () => {
  it('signs a PDF and a DOCX with one certificate choice, one confirmation naming both, one PIN', async () => {
    const prompter = new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin, chooseCertificate: certificateId('ec256') });
    agent = await startTestAgent(prompter);
    const c = await RpcClient.connect(agent.url);
    const r = await c.call('batch.sign', { documents: [
      { type: 'pdf', document: b64(realPdf()), fileName: 'Đơn đề nghị.pdf', reason: 'Nộp hồ sơ', placement: { page: 1, rect: [300, 60, 560, 140] } },
      { type: 'docx', document: b64(docx()), fileName: 'Tờ trình.docx', reason: 'Phê duyệt' },
    ] }, 'b');
    expect(r.error).toBeUndefined();
    expect(prompter.count('chooseCertificate')).toBe(1);
    expect(prompter.count('confirm')).toBe(1);
    expect(prompter.count('pin')).toBe(1);
    expect(prompter.calls.find((x) => x.kind === 'confirm')).toMatchObject({ documents: [{ fileName: 'Đơn đề nghị.pdf' }, { fileName: 'Tờ trình.docx' }] });
    expect(c.progressOf('b').at(-1)).toBe('done');

    const [pdf, office] = r.result.documents;
    expect(pdf).toMatchObject({ type: 'pdf', signature: { certificateId: certificateId('ec256'), signer: fixtures().pki.signers.ec256.cn } });
    expect(office).toMatchObject({ type: 'docx', signature: { part: '/_xmlsignatures/sig1.xml', certificateId: certificateId('ec256') } });
    withTempFile(Buffer.from(pdf.document, 'base64'), 'batch.pdf', (f) => expect(pdfsig(f).signatures.at(-1)).toMatchObject({ valid: true, signerCommonName: fixtures().pki.signers.ec256.cn }));
    if (libreOfficeAvailable()) {
      const [lo] = libreOfficeVerifyBytes([{ name: 'batch.docx', bytes: Buffer.from(office.document, 'base64') }]);
      expect(lo!.signatures.map((s) => ({ valid: s.valid, cert: s.certificateStatus }))).toEqual([{ valid: true, cert: 0 }]);
    }
    await c.close();
  });

  it('a bad document fails the batch before anyone is asked, naming it; the wrong type is UNSUPPORTED_FORMAT', async () => {
    const prompter = new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });
    agent = await startTestAgent(prompter, { preGrantedOrigins: ['https://dichvucong.example.gov.vn'] });
    const c = await RpcClient.connect(agent.url);
    const corrupt = await c.call('batch.sign', { documents: [
      { type: 'pdf', document: b64(await samplePdf()), fileName: 'a.pdf' },
      { type: 'pdf', document: b64(new TextEncoder().encode('%PDF-1.7\nbroken')), fileName: 'b.pdf' },
    ] });
    expect(corrupt.error?.data).toMatchObject({ code: 'DOCUMENT_CORRUPT', document: 2 });
    const wrongType = await c.call('batch.sign', { documents: [{ type: 'docx', document: b64(await samplePdf()), fileName: 'a.docx' }] });
    expect(wrongType.error?.data).toMatchObject({ code: 'UNSUPPORTED_FORMAT', document: 1 });
    expect((await c.call('batch.sign', { documents: [] })).error?.data.code).toBe('BAD_REQUEST');
    expect((await c.call('batch.sign', { documents: [{ type: 'xml', document: 'AA==', fileName: 'x' }] })).error?.data.code).toBe('BAD_REQUEST');
    expect(prompter.calls).toEqual([]);
    await c.close();
  });

  it('declined confirmation or a wrong PIN: an error and no document', async () => {
    const prompter = new ScriptedPrompter({ consent: true, confirm: false, pin: fixtures().softhsm.pin });
    agent = await startTestAgent(prompter);
    const c = await RpcClient.connect(agent.url);
    const docs = [{ type: 'pdf', document: b64(await samplePdf()), fileName: 'a.pdf' }, { type: 'docx', document: b64(docx()), fileName: 'b.docx' }];
    const declined = await c.call('batch.sign', { documents: docs, certificateId: certificateId('rsa') });
    expect(declined.error?.data.code).toBe('USER_CANCELLED');
    expect(declined.result).toBeUndefined();
    prompter.answers.confirm = true;
    prompter.answers.pin = '000000';
    const wrong = await c.call('batch.sign', { documents: docs, certificateId: certificateId('rsa') });
    expect(wrong.error?.data.code).toBe('PIN_INCORRECT');
    expect(prompter.count('pin')).toBe(1);
    // The right PIN then works (and resets the token's failed-login count for the tests after this one).
    prompter.answers.pin = fixtures().softhsm.pin;
    expect((await c.call('batch.sign', { documents: docs, certificateId: certificateId('rsa') })).error).toBeUndefined();
    await c.close();
  });

  it('60 documents: one login and one PIN, a progress event per document, every document signed', async () => {
    const prompter = new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });
    agent = await startTestAgent(prompter);
    const c = await RpcClient.connect(agent.url);
    const count = 60;
    const docs = await Promise.all(Array.from({ length: count }, (_, i) => samplePdf(`Ho so so ${i + 1}`)));
    const r = await c.call('batch.sign', {
      certificateId: certificateId('ec256'),
      documents: docs.map((d, i) => ({ type: 'pdf', document: b64(d), fileName: `ho-so-${i + 1}.pdf` })),
    }, 'many');
    expect(r.error).toBeUndefined();
    expect(prompter.count('pin')).toBe(1);
    expect(prompter.count('confirm')).toBe(1);
    expect((prompter.calls.find((x) => x.kind === 'confirm') as { documents: unknown[] }).documents).toHaveLength(count);
    const perDocument = c.notifications.filter((n) => n.method === 'progress' && n.params.id === 'many' && n.params.document !== undefined);
    expect(perDocument.map((n) => n.params.document)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(perDocument.every((n) => n.params.documents === count && n.params.stage === 'sign')).toBe(true);
    expect(c.progressOf('many').at(-1)).toBe('done');
    expect(r.result.documents).toHaveLength(count);
    // Each answer is its own document, in the order sent; the first and the last checked by pdfsig.
    for (const [i, d] of r.result.documents.entries()) {
      expect(Buffer.from(d.document, 'base64').subarray(0, docs[i]!.length).equals(Buffer.from(docs[i]!)), `document ${i + 1}`).toBe(true);
    }
    for (const i of [0, count - 1]) {
      withTempFile(Buffer.from(r.result.documents[i].document, 'base64'), `many-${i}.pdf`, (f) => expect(pdfsig(f).signatures).toMatchObject([{ valid: true, signerCommonName: fixtures().pki.signers.ec256.cn }]));
    }
    await c.close();
  });

  it('documents that together exceed the document limit are TOO_LARGE before anyone is asked', async () => {
    const prompter = new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });
    const pdf = await samplePdf();
    agent = await startTestAgent(prompter, { preGrantedOrigins: ['https://dichvucong.example.gov.vn'], limits: { maxDocumentBytes: pdf.length * 3 } });
    const c = await RpcClient.connect(agent.url);
    const doc = { type: 'pdf', document: b64(pdf), fileName: 'a.pdf' };
    const r = await c.call('batch.sign', { documents: [doc, doc, doc, doc] });
    expect(r.error?.data.code).toBe('TOO_LARGE');
    expect(prompter.calls).toEqual([]);
    expect((await c.call('batch.sign', { documents: [doc, doc, doc], certificateId: certificateId('rsa') })).error).toBeUndefined();
    await c.close();
  });
});
