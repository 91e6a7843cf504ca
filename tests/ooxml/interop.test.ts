/**
 * Signatures made by another producer: LibreOffice signs (headless, signDocumentWithCertificate with a fixture key in
 * NSS), our verifier must read them, and a signature Kyso adds afterwards must keep LibreOffice's valid in
 * LibreOffice. LibreOffice 7.4 digests relationship parts the libxmlsec 1.2 way (whitespace as <text/> elements);
 * our verifier accepts that with a note, and Kyso follows that convention on packages signed only that way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signOoxml } from '../../src/core/ooxml/sign.js';
import { verifyOoxml } from '../../src/core/ooxml/verify.js';
import { openPackage, writePackage } from '../../src/core/ooxml/package.js';
import { fixtures } from '../helpers/fixtures.js';
import { libreOfficeAvailable, libreOfficeSign, libreOfficeVerifyBytes, type LibreOfficeResult } from '../helpers/libreoffice-verify.js';
import { keyFor } from './keys.js';
import { makeLibreOfficeDocuments, makePandocDocuments } from './documents.js';

describe.runIf(libreOfficeAvailable())('signatures made by LibreOffice', () => {
  const [multipart] = makeLibreOfficeDocuments();
  const [pandoc] = makePandocDocuments();
  let byLo: { name: string; bytes: Uint8Array }[] = [];
  let thenKyso: { name: string; bytes: Uint8Array }[] = [];
  let lo: LibreOfficeResult[] = [];

  beforeAll(async () => {
    byLo = [
      { name: 'lo-rsa-multipart.docx', bytes: libreOfficeSign(multipart!.bytes, 'rsa') },
      { name: 'lo-ec256-pandoc.docx', bytes: libreOfficeSign(pandoc!.bytes, 'ec256') },
    ];
    thenKyso = [];
    for (const d of byLo) thenKyso.push({ name: `kyso-${d.name}`, bytes: (await signOoxml(d.bytes, await keyFor('ec384'), { comment: 'Ký tiếp' })).bytes });
    lo = libreOfficeVerifyBytes([...byLo, ...thenKyso]);
  });

  it('LibreOffice signed them (and reports them valid)', () => {
    expect(lo.slice(0, 2).map((r) => r.signatures.map((s) => s.valid))).toEqual([[true], [true]]);
  });

  it('verifyOoxml reads LibreOffice signatures: signer, time, valid, covering, with a note on the libxmlsec 1.2 digest', async () => {
    for (const [i, d] of byLo.entries()) {
      const r = await verifyOoxml(d.bytes);
      expect(r.signatures).toHaveLength(1);
      const s = r.signatures[0]!;
      expect(s.problems, d.name).toEqual([]);
      expect(s).toMatchObject({ valid: true, coversAllParts: true });
      expect(s.signer?.commonName).toBe(fixtures().pki.signers[i === 0 ? 'rsa' : 'ec256'].cn);
      expect(s.signingTime).toBeInstanceOf(Date);
      // LibreOffice writes a newline before </Relationships> in the _rels/.rels it rewrites.
      expect(s.legacyRelationshipParts).toContain('/_rels/.rels');
      expect(s.notes.join('\n')).toMatch(/Microsoft Office may report this signature invalid/);
    }
  });

  it('a Kyso signature added afterwards: LibreOffice reports both valid', () => {
    for (const r of lo.slice(2)) {
      expect(r.signatures.map((s) => s.valid)).toEqual([true, true]);
      expect(r.signatures[1]!.signer).toContain(`CN=${fixtures().pki.signers.ec384.cn}`);
    }
  });

  it('a Kyso signature added afterwards: verifyOoxml reports both valid', async () => {
    for (const d of thenKyso) {
      const r = await verifyOoxml(d.bytes);
      expect(r.signatures.map((s) => [s.valid, s.coversAllParts])).toEqual([[true, true], [true, true]]);
    }
  });

  it('tampering with a part LibreOffice signed is detected', async () => {
    const pkg = openPackage(byLo[0]!.bytes);
    const doc = Buffer.from(pkg.read('/word/document.xml'));
    doc[doc.indexOf('THÔNG BÁO')] = 0x54 ^ 0x01;
    const r = await verifyOoxml(writePackage(pkg, new Map([['/word/document.xml', new Uint8Array(doc)]]), []));
    expect(r.signatures[0]!.valid).toBe(false);
  });
});
