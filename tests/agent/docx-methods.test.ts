/**
 * docx.sign and docx.verify as a portal uses them, over the WebSocket with the SoftHSM token: the signed
 * packages are checked by LibreOffice's own OOXML signature implementation, headless.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { verifyOoxml } from '../../src/core/ooxml/index.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes } from '../helpers/libreoffice-verify.js';
import { corpusDocuments, makeCompoundFile, makePandocDocuments } from '../ooxml/documents.js';
import { createTimestampClient } from '../../src/core/tsa/http-client.js';
import { startPkiServices } from '../helpers/loopback-pki-services.js';
import { PORTAL, RpcClient, b64, samplePdf, startTestAgent, type TestAgent } from './harness.js';

const docs = corpusDocuments();
const docx = docs.find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;

let agent: TestAgent | undefined;
afterAll(async () => { await agent?.close(); });

const allowAll = (): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });

describe('docx.sign', () => {
  it('signs with the page\'s certificate, then a second signer; LibreOffice reports both valid; docx.verify agrees', async () => {
    const prompter = allowAll();
    agent = await startTestAgent(prompter);
    const c = await RpcClient.connect(agent.url);
    const first = await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'Tờ trình.docx', certificateId: certificateId('rsa'), reason: 'Phê duyệt' }, 'first');
    expect(first.error).toBeUndefined();
    expect(first.result.signature).toMatchObject({ part: '/_xmlsignatures/sig1.xml', hash: 'SHA-256', certificateId: certificateId('rsa'), signer: fixtures().pki.signers.rsa.cn });
    expect(Date.now() - Date.parse(first.result.signature.signingTime)).toBeLessThan(60_000);
    expect(c.progressOf('first')).toEqual(expect.arrayContaining(['confirm', 'pin', 'sign', 'done']));
    // The confirmation named the site, the file and the certificate.
    const confirm = prompter.calls.find((x) => x.kind === 'confirm') as { origin: string; documents: Array<{ fileName: string }> } | undefined;
    expect(confirm).toMatchObject({ origin: PORTAL, documents: [{ fileName: 'Tờ trình.docx' }] });

    const second = await c.call('docx.sign', { document: first.result.document, fileName: 'Tờ trình.docx', certificateId: certificateId('ec256') });
    expect(second.error).toBeUndefined();
    expect(second.result.signature).toMatchObject({ part: '/_xmlsignatures/sig2.xml', certificateId: certificateId('ec256') });
    const signed = Buffer.from(second.result.document, 'base64');

    const verified = (await c.call('docx.verify', { document: second.result.document })).result;
    expect(verified.allValid).toBe(true);
    expect(verified.signatures.map((s: { signer: { commonName: string } }) => s.signer.commonName))
      .toEqual([fixtures().pki.signers.rsa.cn, fixtures().pki.signers.ec256.cn]);
    expect(verified.signatures[0]).toMatchObject({ valid: true, coversAllParts: true, reason: 'Phê duyệt', signingTime: first.result.signature.signingTime });

    // Our own verifier on the bytes, and LibreOffice's.
    expect((await verifyOoxml(signed)).allValid).toBe(true);
    if (libreOfficeAvailable()) {
      const [lo] = libreOfficeVerifyBytes([{ name: 'agent-signed.docx', bytes: signed }]);
      expect(lo!.error).toBeUndefined();
      expect(lo!.signatures).toHaveLength(2);
      for (const s of lo!.signatures) expect(s).toMatchObject({ valid: true, certificateStatus: 0 });
    } else if (process.env.CI) {
      throw new Error('LibreOffice (python3-uno) is needed in CI');
    }
    await c.close();
  });

  it('refuses a PDF, a legacy .doc, a damaged package; tampering shows in docx.verify; no prompt for what cannot be signed', async () => {
    const prompter = allowAll();
    await agent?.close();
    agent = await startTestAgent(prompter);
    const c = await RpcClient.connect(agent.url);
    const pdf = await c.call('docx.sign', { document: b64(await samplePdf()), fileName: 'a.pdf' });
    expect(pdf.error?.data.code).toBe('UNSUPPORTED_FORMAT');
    const legacy = await c.call('docx.sign', { document: b64(makeCompoundFile(['WordDocument'])), fileName: 'cu.doc' });
    expect(['UNSUPPORTED_FORMAT', 'DOCUMENT_CORRUPT']).toContain(legacy.error?.data.code);
    const truncated = docx.bytes.subarray(0, Math.floor(docx.bytes.length / 2));
    const broken = await c.call('docx.sign', { document: b64(truncated), fileName: 'hong.docx', certificateId: certificateId('rsa') });
    expect(broken.error?.data.code).toBe('DOCUMENT_CORRUPT');
    expect(prompter.calls.filter((x) => x.kind === 'confirm' || x.kind === 'pin')).toEqual([]);

    const signed = Buffer.from((await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'a.docx', certificateId: certificateId('ec256') })).result.document, 'base64');
    // One byte of the main document part changed (stored entry: flip a byte inside the deflated data of document.xml).
    const at = signed.indexOf(Buffer.from('word/document.xml'));
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(signed);
    tampered[at + 'word/document.xml'.length + 40] ^= 0x01;
    const r = await c.call('docx.verify', { document: tampered.toString('base64') });
    // Either the zip no longer reads (CRC) or the signature no longer verifies: never "valid".
    if (r.error) expect(r.error.data.code).toBe('DOCUMENT_CORRUPT');
    else expect(r.result.allValid).toBe(false);
    await c.close();
  });

  it('with the user\'s timestamp server: B-T (XAdES SignatureTimeStamp) by default, reported by docx.verify; a page may ask B-B', async () => {
    const svc = await startPkiServices();
    try {
      await agent?.close();
      agent = await startTestAgent(allowAll(), { timestamp: createTimestampClient({ urls: [svc.tsa.plain] }) });
      const c = await RpcClient.connect(agent.url);
      const r = await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'a.docx', certificateId: certificateId('rsa') });
      expect(r.error).toBeUndefined();
      expect(r.result.signature).toMatchObject({ level: 'B-T', timestamp: { time: expect.any(String) } });
      const v = (await c.call('docx.verify', { document: r.result.document })).result;
      expect(v.allValid).toBe(true);
      expect(v.signatures[0].timestamp).toMatchObject({ valid: true, time: r.result.signature.timestamp.time });
      const bb = await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'a.docx', certificateId: certificateId('rsa'), level: 'B-B' });
      expect(bb.result.signature.level).toBe('B-B');
      expect(bb.result.signature.timestamp).toBeUndefined();
      expect((await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'a.docx', level: 'B-LT' })).error?.data.code).toBe('BAD_REQUEST');
      await c.close();
    } finally {
      await svc.close();
    }
  });
});
