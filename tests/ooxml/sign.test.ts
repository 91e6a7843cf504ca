/**
 * signOoxml on documents from real producers, each signed with the RSA, P-256 and P-384 fixture keys, checked by
 * our verifier and by LibreOffice's own OOXML signature implementation (headless). Also: parts kept byte for byte,
 * the signature's structure as Office writes it, and second and third signatures keeping the earlier ones valid.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signOoxml } from '../../src/core/ooxml/index.js';
import { verifyOoxml } from '../../src/core/ooxml/verify.js';
import { readZip, type ZipArchive } from '../../src/core/ooxml/zip.js';
import { openPackage, writePackage } from '../../src/core/ooxml/package.js';
import { relationshipTransform } from '../../src/core/ooxml/relationship-transform.js';
import { childElements, descendants, firstChild, parseXml, textOf } from '../../src/core/ooxml/xml.js';
import { NS, REL_TYPE } from '../../src/core/ooxml/constants.js';
import { fixtures } from '../helpers/fixtures.js';
import type { SignerName } from '../helpers/software-key.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes, type LibreOfficeResult } from '../helpers/libreoffice-verify.js';
import { keyFor } from './keys.js';
import { corpusDocuments, makeLibreOfficeDocuments, makePandocDocuments, makeXlsx, type OfficeDocument } from './documents.js';

const SIGNERS: readonly SignerName[] = ['rsa', 'ec256', 'ec384'];
const WHEN = new Date('2026-11-23T08:15:30Z');
const HAVE_LO = libreOfficeAvailable();

const corpus = corpusDocuments();
const made = [...makeLibreOfficeDocuments(), ...makePandocDocuments(), makeXlsx()];
const DOCS: OfficeDocument[] = [...corpus, ...made.filter((d) => !(corpus.length && d.name === 'to-trinh-pandoc.docx'))];
const MULTIPART = DOCS.find((d) => d.name === 'thong-bao-nhieu-phan.docx')!;

interface Signed { doc: OfficeDocument; signer: SignerName; bytes: Uint8Array; lo?: LibreOfficeResult }
const signed = new Map<string, Signed>();
const keyOf = (doc: OfficeDocument, signer: SignerName): string => `${signer}:${doc.name}`;

/** The multipart DOCX signed by rsa, then ec256 (two), then ec384 (three), for 'more signatures'. */
let two: Uint8Array;
let three: Uint8Array;
let loMore: LibreOfficeResult[] = [];

beforeAll(async () => {
  for (const doc of DOCS) {
    for (const signer of SIGNERS) {
      const { bytes } = await signOoxml(doc.bytes, await keyFor(signer), { signingTime: WHEN, comment: `Phê duyệt nội dung (${signer})` });
      signed.set(keyOf(doc, signer), { doc, signer, bytes });
    }
  }
  two = (await signOoxml(signed.get(keyOf(MULTIPART, 'rsa'))!.bytes, await keyFor('ec256'), { signingTime: new Date('2026-11-24T01:00:00Z'), comment: 'Đồng ý' })).bytes;
  three = (await signOoxml(two, await keyFor('ec384'), { signingTime: new Date('2026-11-25T01:00:00Z') })).bytes;
  if (HAVE_LO) {
    // One LibreOffice for every file of this test file (its start is most of a check's cost).
    const all = [...signed.values()];
    const results = libreOfficeVerifyBytes([
      ...all.map((s) => ({ name: `${s.signer}-${s.doc.name}`, bytes: s.bytes })), { name: 'two.docx', bytes: two }, { name: 'three.docx', bytes: three },
    ]);
    all.forEach((s, i) => { s.lo = results[i]; });
    loMore = results.slice(all.length);
  }
});

function rawEntry(zip: ZipArchive, name: string): Buffer | undefined {
  const e = zip.entries.find((x) => x.name === name);
  return e ? Buffer.from(zip.bytes.subarray(e.localOffset, e.localEnd)) : undefined;
}

function signatureXml(bytes: Uint8Array, part = '/_xmlsignatures/sig1.xml') {
  return parseXml(openPackage(bytes).read(part), part).documentElement!;
}

it('has documents from several producers', () => {
  expect(DOCS.map((d) => d.producer)).toEqual(expect.arrayContaining(['pandoc', expect.stringMatching(/^libreoffice/)]));
  expect(DOCS.some((d) => d.name.endsWith('.pptx')) && DOCS.some((d) => d.name.endsWith('.xlsx'))).toBe(true);
});

describe.each(DOCS.map((d) => [d.name, d] as const))('%s', (_name, doc) => {
  describe.each(SIGNERS.map((s) => [s] as const))('signed with %s', (signer) => {
    it('verifies: one valid signature covering everything Office signs, with signer, time and comment', async () => {
      const r = await verifyOoxml(signed.get(keyOf(doc, signer))!.bytes);
      expect(r.signatures).toHaveLength(1);
      const s = r.signatures[0]!;
      expect(s.problems).toEqual([]);
      expect(s).toMatchObject({ part: '/_xmlsignatures/sig1.xml', valid: true, coversAllParts: true, comment: `Phê duyệt nội dung (${signer})` });
      expect(s.signer?.commonName).toBe(fixtures().pki.signers[signer].cn);
      expect(s.signingTime?.toISOString()).toBe(WHEN.toISOString());
      expect(r.allValid).toBe(true);
    });

    it.runIf(HAVE_LO)('LibreOffice reports the signature valid and the certificate trusted', () => {
      const lo = signed.get(keyOf(doc, signer))!.lo!;
      expect(lo.error).toBeUndefined();
      expect(lo.signatures).toHaveLength(1);
      expect(lo.signatures[0]).toMatchObject({ valid: true, certificateStatus: 0 });
      expect(lo.signatures[0]!.signer).toContain(`CN=${fixtures().pki.signers[signer].cn}`);
      expect(lo.signatures[0]!.date).toBe(20261123);
    });

    it('keeps every part byte for byte, except [Content_Types].xml and relationship parts whose relationships stay the same', () => {
      const before = readZip(doc.bytes);
      const after = readZip(signed.get(keyOf(doc, signer))!.bytes);
      const pkgBefore = openPackage(doc.bytes);
      const pkgAfter = openPackage(signed.get(keyOf(doc, signer))!.bytes);
      for (const e of before.entries) {
        if (e.name === '[Content_Types].xml') continue;
        if (e.name.endsWith('.rels')) {
          const ids = pkgBefore.relationships(`/${e.name}`).map((r) => r.id);
          expect(Buffer.from(relationshipTransform(pkgAfter.read(`/${e.name}`), { sourceIds: ids })))
            .toEqual(Buffer.from(relationshipTransform(pkgBefore.read(`/${e.name}`), { sourceIds: ids })));
          continue;
        }
        expect(rawEntry(after, e.name), e.name).toEqual(rawEntry(before, e.name));
      }
      const added = after.entries.map((e) => e.name).filter((n) => !before.entries.some((b) => b.name === n));
      expect(added.sort()).toEqual(['_xmlsignatures/_rels/origin.sigs.rels', '_xmlsignatures/origin.sigs', '_xmlsignatures/sig1.xml']);
      expect(after.entries.map((e) => e.name).slice(0, before.entries.length)).toEqual(before.entries.map((e) => e.name));
    });
  });
});

describe('the signature as Office writes it', () => {
  it.each(SIGNERS.map((s) => [s] as const))('%s: algorithms, key info, XAdES signing certificate, signature time', async (signer) => {
    const key = await keyFor(signer);
    const sig = signatureXml(signed.get(keyOf(MULTIPART, signer))!.bytes);
    expect(sig.getAttribute('Id')).toBe('idPackageSignature');
    const method = firstChild(firstChild(sig, NS.dsig, 'SignedInfo')!, NS.dsig, 'SignatureMethod')!.getAttribute('Algorithm');
    expect(method).toBe({
      rsa: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      ec256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
      ec384: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
    }[signer]);
    const value = Buffer.from(textOf(firstChild(sig, NS.dsig, 'SignatureValue')), 'base64');
    // RSA: modulus size; ECDSA: r||s, each the field size (not DER).
    expect(value.length).toBe(key.keyType === 'RSA' ? key.keySize / 8 : 2 * Math.ceil(key.keySize / 8));
    const refs = childElements(firstChild(sig, NS.dsig, 'SignedInfo')!, NS.dsig, 'Reference').map((r) => r.getAttribute('URI'));
    expect(refs).toEqual(['#idPackageObject', '#idOfficeObject', '#idSignedProperties']);

    const certs = descendants(sig, NS.dsig, 'X509Certificate').map((c) => Buffer.from(textOf(c), 'base64'));
    expect(certs).toHaveLength(1 + key.chain.length);
    expect(certs[0]).toEqual(Buffer.from(key.certificate));

    const x509 = new X509Certificate(key.certificate);
    const hash = signer === 'ec384' ? 'sha384' : 'sha256';
    const certDigest = descendants(sig, NS.xades, 'CertDigest')[0]!;
    expect(textOf(firstChild(certDigest, NS.dsig, 'DigestValue'))).toBe(createHash(hash).update(key.certificate).digest('base64'));
    expect(textOf(descendants(sig, NS.dsig, 'X509SerialNumber')[0])).toBe(BigInt(`0x${x509.serialNumber}`).toString());
    expect(textOf(descendants(sig, NS.dsig, 'X509IssuerName')[0])).toMatch(/^CN=Kyso Test Sub CA/);
    expect(textOf(descendants(sig, NS.xades, 'SigningTime')[0])).toBe('2026-11-23T08:15:30Z');
    expect(textOf(descendants(sig, NS.mdssi, 'Value')[0])).toBe('2026-11-23T08:15:30Z');
    expect(textOf(descendants(sig, NS.msdigsig, 'SignatureType')[0])).toBe('1');
  });

  it('the Manifest covers the content parts and the relationships Office signs, not document properties', () => {
    const sig = signatureXml(signed.get(keyOf(MULTIPART, 'rsa'))!.bytes);
    const manifest = descendants(sig, NS.dsig, 'Manifest')[0]!;
    const refs = childElements(manifest, NS.dsig, 'Reference');
    const uris = refs.map((r) => r.getAttribute('URI')!.replace(/\?.*$/, ''));
    expect(uris).toEqual([...uris].sort());
    expect(uris).toEqual(expect.arrayContaining([
      '/_rels/.rels', '/word/_rels/document.xml.rels', '/word/_rels/header1.xml.rels', '/word/document.xml', '/word/header1.xml',
      '/word/footer1.xml', '/word/footnotes.xml', '/word/styles.xml', '/word/media/image1.png', '/word/media/image2.png',
    ]));
    expect(uris.filter((u) => u.startsWith('/docProps') || u.startsWith('/_xmlsignatures') || u.includes('Content_Types'))).toEqual([]);

    const pkg = openPackage(MULTIPART.bytes);
    const sourceIds = (uri: string): string[] => descendants(refs.find((r) => r.getAttribute('URI')!.startsWith(uri))!, NS.mdssi, 'RelationshipReference').map((r) => r.getAttribute('SourceId')!);
    const root = pkg.relationships('/_rels/.rels');
    expect(sourceIds('/_rels/.rels')).toEqual(root.filter((r) => r.type.endsWith('/officeDocument')).map((r) => r.id));
    // Hyperlinks (external targets) are signed as relationships: their URL cannot be changed unnoticed.
    const doc = pkg.relationships('/word/_rels/document.xml.rels');
    expect(sourceIds('/word/_rels/document.xml.rels')).toEqual(doc.map((r) => r.id));
    expect(doc.filter((r) => r.external).length).toBeGreaterThan(0);

    const after = openPackage(signed.get(keyOf(MULTIPART, 'rsa'))!.bytes);
    const origin = after.relationships('/_rels/.rels').find((r) => r.type === REL_TYPE.origin);
    expect(origin?.targetPart).toBe('/_xmlsignatures/origin.sigs');
    expect(sourceIds('/_rels/.rels')).not.toContain(origin!.id);
    expect(after.contentType('/_xmlsignatures/origin.sigs')).toBe('application/vnd.openxmlformats-package.digital-signature-origin');
    expect(after.contentType('/_xmlsignatures/sig1.xml')).toBe('application/vnd.openxmlformats-package.digital-signature-xmlsignature+xml');
  });

  it('every relationship part is signed, an empty one too; one added after signing is reported as not covered', async () => {
    // An empty relationship part, as pandoc writes for footnotes: signed all the same (Office and LibreOffice do).
    const pkg = openPackage(MULTIPART.bytes);
    const empty = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>';
    const withEmpty = writePackage(pkg, new Map(), [{ partName: '/word/_rels/styles.xml.rels', data: new Uint8Array(Buffer.from(empty)) }]);
    const signedBytes = (await signOoxml(withEmpty, await keyFor('rsa'), { signingTime: WHEN })).bytes;
    const uris = childElements(descendants(signatureXml(signedBytes), NS.dsig, 'Manifest')[0]!, NS.dsig, 'Reference').map((r) => r.getAttribute('URI')!.replace(/\?.*$/, ''));
    const relsParts = openPackage(withEmpty).relationshipParts().filter((p) => !p.startsWith('/_xmlsignatures/'));
    expect(uris).toEqual(expect.arrayContaining(relsParts));
    expect(uris).toContain('/word/_rels/styles.xml.rels');
    const ok = await verifyOoxml(signedBytes);
    expect(ok.signatures[0]).toMatchObject({ valid: true, coversAllParts: true });
    // A relationship part added afterwards is not what was signed, even while empty.
    const later = writePackage(openPackage(signedBytes), new Map(), [{ partName: '/word/_rels/footer1.xml.rels', data: new Uint8Array(Buffer.from(empty)) }]);
    const v = (await verifyOoxml(later)).signatures[0]!;
    expect(v.coversAllParts).toBe(false);
    expect(v.problems.join(' ')).toContain('/word/_rels/footer1.xml.rels');
  });

  it('every part but [Content_Types].xml, document properties and signatures is in the Manifest, also one no relationship reaches', async () => {
    // The rule of a whole-package coverage check (LibreOffice's verifier as used in review): pandoc's PPTX keeps a
    // notes theme nothing points to, which Office would leave unsigned.
    for (const doc of DOCS) {
      const bytes = signed.get(keyOf(doc, 'rsa'))!.bytes;
      const uris = new Set(childElements(descendants(signatureXml(bytes), NS.dsig, 'Manifest')[0]!, NS.dsig, 'Reference').map((r) => r.getAttribute('URI')!.replace(/\?.*$/, '').toLowerCase()));
      const parts = readZip(bytes).entries.map((e) => `/${e.name}`).filter((n) => !n.endsWith('/') && !/^\/(\[Content_Types\]\.xml|docProps\/|_xmlsignatures\/)/i.test(n));
      expect(parts.filter((n) => !uris.has(n.toLowerCase())), doc.name).toEqual([]);
    }
    const pptx = DOCS.find((d) => d.producer === 'pandoc' && d.name.endsWith('.pptx'))!;
    const pkg = openPackage(pptx.bytes);
    const reached = new Set(pkg.relationshipParts().flatMap((r) => pkg.relationships(r).map((x) => x.targetPart?.toLowerCase())));
    const orphan = pkg.partNames.find((n) => n.endsWith('.xml') && !n.includes('/_rels/') && !n.includes('Content_Types') && !reached.has(n.toLowerCase()));
    expect(orphan).toBeDefined();
    const after = openPackage(signed.get(keyOf(pptx, 'rsa'))!.bytes);
    const changed = writePackage(after, new Map([[orphan!, new Uint8Array(Buffer.concat([Buffer.from(after.read(orphan!)), Buffer.from('<!-- sửa -->')]))]]), []);
    const v = (await verifyOoxml(changed)).signatures[0]!;
    expect(v.valid).toBe(false);
    expect(v.changedParts).toContain(orphan);
  });

  it('relationship parts without stray whitespace are kept byte for byte too', () => {
    const pandoc = DOCS.find((d) => d.producer === 'pandoc' && d.name.endsWith('.docx'))!;
    const before = readZip(pandoc.bytes);
    const after = readZip(signed.get(keyOf(pandoc, 'ec256'))!.bytes);
    for (const e of before.entries.filter((x) => x.name.endsWith('.rels') && x.name !== '_rels/.rels')) {
      expect(rawEntry(after, e.name), e.name).toEqual(rawEntry(before, e.name));
    }
  });

  it('honours an explicit hash', async () => {
    const out = (await signOoxml(MULTIPART.bytes, await keyFor('rsa'), { hash: 'SHA-512', signingTime: WHEN })).bytes;
    const sig = signatureXml(out);
    expect(firstChild(firstChild(sig, NS.dsig, 'SignedInfo')!, NS.dsig, 'SignatureMethod')!.getAttribute('Algorithm')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha512');
    expect(new Set(descendants(sig, NS.dsig, 'DigestMethod').map((d) => d.getAttribute('Algorithm')))).toEqual(new Set(['http://www.w3.org/2001/04/xmlenc#sha512']));
    expect((await verifyOoxml(out)).allValid).toBe(true);
  });
});

describe('more signatures', () => {

  it('a second signature keeps the first valid (Kyso)', async () => {
    const r = await verifyOoxml(two);
    expect(r.signatures.map((s) => [s.part, s.signer?.commonName, s.valid, s.coversAllParts])).toEqual([
      ['/_xmlsignatures/sig1.xml', fixtures().pki.signers.rsa.cn, true, true],
      ['/_xmlsignatures/sig2.xml', fixtures().pki.signers.ec256.cn, true, true],
    ]);
  });

  it.runIf(HAVE_LO)('a second signature keeps the first valid (LibreOffice)', () => {
    expect(loMore[0]!.signatures.map((s) => [s.valid, s.certificateStatus])).toEqual([[true, 0], [true, 0]]);
  });

  it('adding a signature changes only [Content_Types].xml and the origin relationships; signed parts and earlier signatures stay byte for byte', () => {
    const before = readZip(signed.get(keyOf(MULTIPART, 'rsa'))!.bytes);
    const after = readZip(two);
    const changed = before.entries.filter((e) => !rawEntry(after, e.name)?.equals(rawEntry(before, e.name)!)).map((e) => e.name);
    expect(changed.sort()).toEqual(['[Content_Types].xml', '_xmlsignatures/_rels/origin.sigs.rels']);
    expect(after.entries.map((e) => e.name).filter((n) => !before.entries.some((b) => b.name === n))).toEqual(['_xmlsignatures/sig2.xml']);
  });

  it('a third signature keeps both earlier ones valid (Kyso)', async () => {
    const r = await verifyOoxml(three);
    expect(r.signatures.map((s) => s.valid && s.coversAllParts)).toEqual([true, true, true]);
    expect(r.signatures[2]!.signer?.commonName).toBe(fixtures().pki.signers.ec384.cn);
  });

  it.runIf(HAVE_LO)('LibreOffice reads all three and keeps the first two valid', () => {
    // LibreOffice 7.4 matches same-document references across all signature parts it has read (every Office
    // signature uses the Ids idPackageObject/idOfficeObject), so it reports the third signature of any package
    // invalid, Office-made ones included. The first two must stay valid.
    expect(loMore[1]!.signatures).toHaveLength(3);
    expect(loMore[1]!.signatures.slice(0, 2).map((s) => s.valid)).toEqual([true, true]);
  });
});
