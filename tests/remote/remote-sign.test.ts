/**
 * The signing engines, unchanged, with a remote key approved on the test service's "phone": PAdES B-B (invisible
 * and visible) and B-T, a DOCX, and a CMS over a hash, each checked with tools we did not write (pdfsig,
 * LibreOffice, OpenSSL); a batch of documents through the document workers gathered into as few approvals as
 * multisign allows; and declined or failing providers stopping the signature with a typed error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../src/core/sign-document.js';
import { buildSignedData } from '../../src/core/cms/signed-data.js';
import { HttpTimestampClient } from '../../src/core/tsa/index.js';
import { KysoError } from '../../src/core/errors.js';
import { PARKED_WORKERS_MAX } from '../../src/core/isolation/pool.js';
import type { RemoteCertificate } from '../../src/core/remote/types.js';
import { ARTIFACTS_DIR } from '../helpers/fixtures.js';
import { startCscServer, type CscServer } from '../helpers/csc-server.js';
import { startPkiServices, type PkiServices } from '../helpers/loopback-pki-services.js';
import { opensslCmsVerify, pdfsig } from '../helpers/tools.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes } from '../helpers/libreoffice-verify.js';
import { corpusDocuments, makePandocDocuments } from '../ooxml/documents.js';
import { samplePdf } from '../agent/harness.js';
import { harness, type Harness } from './harness.js';

const OUT = path.join(ARTIFACTS_DIR, 'remote');
let server: CscServer;
let pki: PkiServices | undefined;
let h: Harness;
let rsa: RemoteCertificate;
let ec: RemoteCertificate;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await startCscServer({ multisign: 10 });
  h = harness(server);
  const certs = await h.source.certificates();
  rsa = certs.find((c) => c.info.keyType === 'RSA')!;
  ec = certs.find((c) => c.info.keyType === 'EC')!;
});
afterAll(async () => { await server?.close(); await pki?.close(); });

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(OUT, name);
  writeFileSync(file, bytes);
  return file;
}

const key = (cert: RemoteCertificate, documents = 1) => h.source.signingKey(cert.id, { documents, onApproval: h.onApproval });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try { await p; return 'resolved'; } catch (e) { return e instanceof KysoError ? e.code : `untyped: ${String(e)}`; }
}

describe('signing engines with a remote key', () => {
  it('PAdES B-B, invisible (RSA) and visible (ECDSA): valid and trusted for pdfsig', async () => {
    const input = await samplePdf('Don de nghi ky so tu xa');
    const invisible = await signDocument(input, await key(rsa), { reason: 'Phê duyệt' }, 'in.pdf');
    const visible = await signDocument(input, await key(ec), {
      visible: { placement: { page: 1, rect: [300, 600, 560, 700] }, appearance: { show: { signer: true, time: true } } },
    }, 'in.pdf');
    for (const [name, result, cn] of [['bb-rsa.pdf', invisible, 'NGUYỄN THỊ ÁNH TUYẾT'], ['bb-ec-visible.pdf', visible, 'TRẦN VĂN ĐỨC']] as const) {
      const r = pdfsig(save(name, result.bytes));
      expect(r.signatures, r.output).toHaveLength(1);
      expect(r.signatures[0]).toMatchObject({ valid: true, trusted: true, totalDocumentSigned: true, signerCommonName: cn });
    }
  });

  it('PAdES B-T with the loopback TSA: the timestamp is over the remote signature', async () => {
    pki = await startPkiServices();
    const result = await signDocument(await samplePdf('B-T tu xa'), await key(rsa), { level: 'B-T', timestamp: new HttpTimestampClient({ urls: [pki.tsa.plain] }), certificateCheck: 'offline' }, 'in.pdf');
    expect(result.level).toBe('B-T');
    expect(result.timestamp?.tokenSize).toBeGreaterThan(0);
    const r = pdfsig(save('bt-rsa.pdf', result.bytes));
    expect(r.signatures[0], r.output).toMatchObject({ valid: true, trusted: true });
  });

  it('a DOCX: LibreOffice finds the package signature valid', async () => {
    const doc = corpusDocuments().find((d) => d.name.endsWith('.docx')) ?? makePandocDocuments().find((d) => d.name.endsWith('.docx'))!;
    const result = await signDocument(doc.bytes, await key(ec), {}, doc.name);
    save('remote.docx', result.bytes);
    if (!libreOfficeAvailable()) return;
    const [lo] = libreOfficeVerifyBytes([{ name: 'remote.docx', bytes: result.bytes }]);
    expect(lo!.signatures, JSON.stringify(lo)).toHaveLength(1);
    expect(lo!.signatures[0]).toMatchObject({ valid: true, certificateStatus: 0 });
    expect(lo!.signatures[0]!.signer).toContain('TRẦN VĂN ĐỨC');
  });

  it('a CMS over a hash (hash.sign): OpenSSL verifies it against the content', async () => {
    const content = Buffer.from('Nội dung do cổng dịch vụ công băm trước');
    const cms = await buildSignedData(await key(rsa), { contentDigest: createHash('sha256').update(content).digest(), hash: 'SHA-256', signingTime: new Date() });
    const r = opensslCmsVerify(cms.der, content);
    expect(r.ok, r.output).toBe(true);
  });

  it('a batch of 5 PDFs in the document workers: one approval with multisign 10, three with multisign 2', async () => {
    const docs = await Promise.all([1, 2, 3, 4, 5].map((i) => samplePdf(`Van ban so ${i}`)));
    for (const [multisign, approvals] of [[10, 1], [2, 3]] as const) {
      const s = await startCscServer({ multisign, signers: ['rsa'] });
      try {
        const hb = harness(s);
        const [cert] = await hb.source.certificates();
        const k = await hb.source.signingKey(cert!.id, { documents: docs.length, onApproval: hb.onApproval });
        const results = await Promise.all(docs.map((d) => signDocument(d, k, {}, 'in.pdf')));
        expect(s.calls.filter((c) => c.method === 'credentials/authorize')).toHaveLength(approvals);
        // Only digests left the machine: no request carries a document (base64 of "%PDF" is "JVBER").
        expect(JSON.stringify(s.calls)).not.toContain('JVBER');
        expect(Math.max(...s.calls.map((c) => JSON.stringify(c.body).length))).toBeLessThan(2048);
        expect(hb.notices.map((n) => n.notice.approval.of)).toEqual(Array(approvals).fill(approvals));
        results.forEach((r, i) => {
          const v = pdfsig(save(`batch-${multisign}-${i}.pdf`, r.bytes));
          expect(v.signatures[0], v.output).toMatchObject({ valid: true, trusted: true });
        });
      } finally {
        await s.close();
      }
    }
  });

  it('a batch larger than the workers can hold waiting: signed in several approvals, never stuck', async () => {
    const count = PARKED_WORKERS_MAX + 4;
    const s = await startCscServer({ multisign: 100, signers: ['rsa'] });
    try {
      const hb = harness(s);
      const [cert] = await hb.source.certificates();
      const k = await hb.source.signingKey(cert!.id, { documents: count, onApproval: hb.onApproval });
      const docs = await Promise.all(Array.from({ length: count }, (_, i) => samplePdf(`Ho so ${i}`)));
      const results = await Promise.all(docs.map((d) => signDocument(d, k, {}, 'in.pdf')));
      expect(results).toHaveLength(count);
      const approvals = s.calls.filter((c) => c.method === 'credentials/authorize').length;
      expect(approvals).toBeGreaterThanOrEqual(2);
      expect(approvals).toBeLessThan(count);
    } finally {
      await s.close();
    }
  });

  it('a document that fails before its digest: skipDocument lets the others be signed in one approval', async () => {
    const s = await startCscServer({ multisign: 10, signers: ['rsa'] });
    try {
      const hb = harness(s);
      const [cert] = await hb.source.certificates();
      const k = await hb.source.signingKey(cert!.id, { documents: 3, onApproval: hb.onApproval });
      const inputs = [await samplePdf('mot'), new TextEncoder().encode('%PDF-1.7 hỏng'), await samplePdf('ba')];
      // The batch runner's part: a document that fails tells the key it will not come.
      const outcomes = await Promise.all(inputs.map((d) => signDocument(d, k, {}, 'in.pdf').catch((e: unknown) => { k.skipDocument(); throw e; }).then(() => 'signed', (e: unknown) => (e as KysoError).code)));
      expect(outcomes).toEqual(['signed', 'DOCUMENT_CORRUPT', 'signed']);
      expect(s.calls.filter((c) => c.method === 'credentials/authorize')).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('declined on the phone, or the provider down: typed errors, no signed document', async () => {
    const input = await samplePdf('tu choi');
    server.phone.answer = 'decline';
    try {
      expect(await codeOf(signDocument(input, await key(rsa), {}, 'in.pdf'))).toBe('REMOTE_REJECTED');
    } finally {
      server.phone.answer = { approveAfterPolls: 1 };
    }
    const k = await key(rsa);
    server.failWith = 503;
    try {
      expect(await codeOf(signDocument(input, k, {}, 'in.pdf'))).toBe('REMOTE_UNREACHABLE');
    } finally {
      server.failWith = undefined;
    }
  });
});
