/**
 * docx.verify gives an Office document the history pdf.verify gives a PDF, over the real agent: DOCX signed by
 * Kyso on SoftHSM with a XAdES timestamp from the loopback TSA; the signer's and the TSA's chains checked against
 * the anchors the user gave the agent (never a page's), offline; a changed part named; an untrusted signer named.
 * LibreOffice agrees on these files (checked while developing; docx-methods.test.ts runs it on agent-signed DOCX):
 * the signed ones valid, the rewritten one invalid, the one with an image linked in after signing not covering it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { openPackage, writePackage } from '../../src/core/ooxml/package.js';
import { createTimestampClient } from '../../src/core/tsa/http-client.js';
import { parseAnchorFile } from '../../src/core/validation/trust.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { hitsOn, startPkiServices, type PkiServices } from '../helpers/loopback-pki-services.js';
import { corpusDocuments, makePandocDocuments, makePng } from '../ooxml/documents.js';
import { RpcClient, b64, startTestAgent, type TestAgent } from './harness.js';

const docx = corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
const allowAll = (): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });
const anchor = (file: string) => parseAnchorFile(new Uint8Array(readFileSync(file)), file);

let srv: PkiServices;
let agent: TestAgent | undefined;
let signedBt: string;
let signedBb: string;
beforeAll(async () => {
  srv = await startPkiServices();
  // Signed by Kyso's own agent on the SoftHSM token: B-T with the loopback TSA, and B-B.
  const signer = await startTestAgent(allowAll(), { timestamp: createTimestampClient({ urls: [srv.tsa.plain] }) });
  try {
    const c = await RpcClient.connect(signer.url);
    const bt = await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'Tờ trình.docx', certificateId: certificateId('rsa'), reason: 'Phê duyệt' });
    const bb = await c.call('docx.sign', { document: b64(docx.bytes), fileName: 'Tờ trình.docx', certificateId: certificateId('rsa'), level: 'B-B', reason: 'Đồng ý' });
    expect(bt.error ?? bb.error).toBeUndefined();
    signedBt = bt.result.document;
    signedBb = bb.result.document;
    await c.close();
  } finally {
    await signer.close();
  }
});
afterEach(async () => { await agent?.close(); agent = undefined; });
afterAll(async () => { await srv?.close(); });

async function verifyWith(trustAnchors: ReturnType<typeof anchor>, document: string): Promise<any> {
  agent = await startTestAgent(allowAll(), { trustAnchors });
  const c = await RpcClient.connect(agent.url);
  const r = await c.call('docx.verify', { document });
  await c.close();
  expect(r.error).toBeUndefined();
  return r.result;
}

describe('docx.verify: the same history as pdf.verify', () => {
  it('signer and TSA chain to the user\'s anchors: valid, with the TSA time in Vietnam time, XAdES B-T, signer named; nothing fetched', async () => {
    const before = hitsOn(srv, '/');
    const r = await verifyWith([...anchor(fixtures().pki.rootCa), ...anchor(srv.pki.root)], signedBt);
    expect(hitsOn(srv, '/'), 'a page\'s file made the agent fetch something').toBe(before);
    expect(r.allValid).toBe(true);
    const [s] = r.signatures;
    expect(s).toMatchObject({
      part: '/_xmlsignatures/sig1.xml', verdict: 'valid', level: 'B-T', trusted: true,
      changesAfter: 'none', changedParts: [], uncoveredParts: [], valid: true, coversAllParts: true, reason: 'Phê duyệt',
      signer: { commonName: fixtures().pki.signers.rsa.cn, identifiers: { CCCD: '001190012345' }, title: 'Chuyên viên', organization: 'Sở Tư pháp Thành phố Hà Nội', issuer: 'Kyso Test Sub CA — Ký số' },
      time: { source: 'tsa', at: s.timestamp.time },
      timestamp: { valid: true },
    });
    // Vietnam time: the UTC instant plus seven hours, written with its offset.
    const local = new Date(Date.parse(s.time.at) + 7 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(s.time.local).toBe(`${local} +07:00`);
    expect(s.claimedTime).toBe(s.signingTime);
    // Trusted: what remains are warnings (revocation unknown offline: the DOCX carries no OCSP answers).
    expect(s.trustProblems.join('\n')).not.toMatch(/not a trusted anchor|not valid/);
  });

  it('the same keys as a pdf.verify signature for what both formats have', async () => {
    const r = await verifyWith(anchor(fixtures().pki.rootCa), signedBb);
    const s = r.signatures[0];
    for (const key of ['signer', 'claimedTime', 'reason', 'verdict', 'time', 'level', 'changesAfter', 'trusted', 'trustProblems', 'problems']) expect(s).toHaveProperty(key);
    // B-B: no timestamp, so the time is the claimed one, marked so; the signer's chain is trusted.
    expect(s).toMatchObject({ verdict: 'valid', level: 'B-B', trusted: true, time: { source: 'claimed', at: s.claimedTime } });
    expect(s.timestamp).toBeUndefined();
  });

  it('a TSA chaining to no anchor: untrusted, and the TSA is named', async () => {
    const r = await verifyWith(anchor(fixtures().pki.rootCa), signedBt);
    expect(r.allValid).toBe(true);
    expect(r.signatures[0]).toMatchObject({ verdict: 'untrusted', trusted: false, changesAfter: 'none' });
    expect(r.signatures[0].trustProblems.join('\n')).toMatch(/^TSA: .*"Kyso LTV Test Root CA" is not a trusted anchor/m);
    expect(r.signatures[0].trustProblems.join('\n')).not.toMatch(/^Người ký \/ Signer: .*not a trusted anchor/m);
  });

  it('an untrusted signer (no anchor of its CA): intact but untrusted, the signer named', async () => {
    const r = await verifyWith([], signedBb);
    expect(r.allValid).toBe(true);
    expect(r.signatures[0]).toMatchObject({ verdict: 'untrusted', trusted: false, valid: true, changesAfter: 'none' });
    expect(r.signatures[0].trustProblems.join('\n')).toMatch(/^Người ký \/ Signer: .*not a trusted anchor/m);
  });

  it('a page of the document rewritten after signing: modified, the part named, allValid false', async () => {
    const pkg = openPackage(new Uint8Array(Buffer.from(signedBt, 'base64')));
    const text = Buffer.from(pkg.read('/word/document.xml')).toString('utf8');
    const forged = text.replace(/<w:t(\s[^>]*)?>[^<]+<\/w:t>/, '<w:t>ĐÃ SỬA: 999.000.000 VND</w:t>');
    expect(forged).not.toBe(text);
    const tampered = writePackage(pkg, new Map([['/word/document.xml', new Uint8Array(Buffer.from(forged))]]), []);
    const r = await verifyWith([...anchor(fixtures().pki.rootCa), ...anchor(srv.pki.root)], b64(tampered));
    expect(r.allValid).toBe(false);
    expect(r.signatures[0]).toMatchObject({ verdict: 'modified', changesAfter: 'disallowed', changedParts: ['/word/document.xml'], uncoveredParts: [], valid: false });
  });

  it('an image added and linked after signing: modified, the unsigned relationship and part named', async () => {
    const pkg = openPackage(new Uint8Array(Buffer.from(signedBb, 'base64')));
    // Office signs image relationships by Id: a new one is not covered, nor the image it reaches.
    const relsPart = '/word/_rels/document.xml.rels';
    const rels = Buffer.from(pkg.read(relsPart)).toString('utf8')
      .replace('</Relationships>', '<Relationship Id="rIdThem" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/them.png"/></Relationships>');
    const tampered = writePackage(pkg, new Map([[relsPart, new Uint8Array(Buffer.from(rels))]]), [{ partName: '/word/media/them.png', data: makePng(8, 8) }]);
    const r = await verifyWith(anchor(fixtures().pki.rootCa), b64(tampered));
    expect(r.allValid).toBe(false);
    expect(r.signatures[0]).toMatchObject({ verdict: 'modified', changesAfter: 'disallowed' });
    expect(r.signatures[0].uncoveredParts).toEqual(expect.arrayContaining([expect.stringMatching(/rIdThem/), '/word/media/them.png']));
  });
});
