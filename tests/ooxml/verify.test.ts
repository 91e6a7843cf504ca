/**
 * verifyOoxml against tampering (one byte of every signed part, raw ZIP damage, the signature itself), changes Office
 * allows after signing (document properties), changes a signature does not cover (a relationship added later), and
 * the typed errors for files that are not signable Office packages. Tampered files are checked by LibreOffice too.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signOoxml } from '../../src/core/ooxml/sign.js';
import { verifyOoxml } from '../../src/core/ooxml/verify.js';
import { openPackage, writePackage } from '../../src/core/ooxml/package.js';
import { readZip, writeZip } from '../../src/core/ooxml/zip.js';
import { isSignedRelationshipType, NS } from '../../src/core/ooxml/constants.js';
import { childElements, descendants, parseXml } from '../../src/core/ooxml/xml.js';
import { fixtures } from '../helpers/fixtures.js';
import { libreOfficeAvailable, libreOfficeVerifyBytes, type LibreOfficeResult } from '../helpers/libreoffice-verify.js';
import { keyFor } from './keys.js';
import { makeAmpersandLinkDocument, makeCompoundFile, makeLegacyDoc, makeLibreOfficeDocuments, makePandocDocuments, makePng, type OfficeDocument } from './documents.js';

const HAVE_LO = libreOfficeAvailable();
const [MULTIPART] = makeLibreOfficeDocuments();
const [PANDOC] = makePandocDocuments();
let signedDoc: Uint8Array;

/** Replaces one part's content (the entry is re-deflated with a correct CRC, as an editor would write it). */
function withPart(bytes: Uint8Array, partName: string, data: Uint8Array): Uint8Array {
  return writePackage(openPackage(bytes), new Map([[partName, data]]), []);
}

function withAddedParts(bytes: Uint8Array, replace: Map<string, Uint8Array>, add: { partName: string; data: Uint8Array }[]): Uint8Array {
  return writePackage(openPackage(bytes), replace, add);
}

/** One byte changed: in a relationships part, inside the Target of a signed relationship; elsewhere, mid-part. */
function tamper(bytes: Uint8Array, partName: string): Uint8Array {
  const pkg = openPackage(bytes);
  const data = Buffer.from(pkg.read(partName));
  let at: number;
  if (partName.endsWith('.rels')) {
    const rel = pkg.relationships(partName).find((r) => r.external || isSignedRelationshipType(r.type))!;
    const text = data.toString('latin1');
    const el = new RegExp(`<[^>]*\\bId="${rel.id}"[^>]*>`).exec(text)!;
    at = el.index + el[0].indexOf('Target="') + 'Target="'.length;
  } else {
    at = data.length >> 1;
    while (at < data.length - 1 && !/[A-Za-z]/.test(String.fromCharCode(data[at]!))) at++;
  }
  data[at] = /[A-Za-z]/.test(String.fromCharCode(data[at]!)) ? (data[at] === 0x71 ? 0x72 : 0x71) : data[at]! ^ 0x01;
  return withPart(bytes, partName, new Uint8Array(data));
}

function manifestParts(bytes: Uint8Array): string[] {
  const sig = parseXml(openPackage(bytes).read('/_xmlsignatures/sig1.xml'), 'sig1.xml');
  return childElements(descendants(sig, NS.dsig, 'Manifest')[0]!, NS.dsig, 'Reference').map((r) => r.getAttribute('URI')!.replace(/\?.*$/, ''));
}

/** One byte changed in each signed part of signedDoc, and what LibreOffice made of each. */
let tampered: { part: string; bytes: Uint8Array }[] = [];
let lo: LibreOfficeResult[] = [];
/** The DOCX with "&" in a hyperlink, signed, and LibreOffice's result on it. */
let ampersand: { doc: OfficeDocument; signed: Uint8Array; lo?: LibreOfficeResult };

beforeAll(async () => {
  signedDoc = (await signOoxml(MULTIPART!.bytes, await keyFor('rsa'), { signingTime: new Date('2026-11-23T08:00:00Z') })).bytes;
  tampered = manifestParts(signedDoc).map((part) => ({ part, bytes: tamper(signedDoc, part) }));
  const doc = makeAmpersandLinkDocument();
  ampersand = { doc, signed: (await signOoxml(doc.bytes, await keyFor('ec256'))).bytes };
  if (HAVE_LO) {
    // One LibreOffice for every file this test file shows it (its start is most of a check's cost).
    const results = libreOfficeVerifyBytes([
      ...tampered.map((t) => ({ name: `${path.basename(t.part)}.docx`, bytes: t.bytes })), { name: doc.name, bytes: ampersand.signed },
    ]);
    lo = results.slice(0, tampered.length);
    ampersand.lo = results[tampered.length];
  }
});

describe('tampering with one byte of a signed part', () => {

  it('covers every kind of signed part: main document, header, footer, footnotes, images, relationships', () => {
    expect(tampered.map((t) => t.part)).toEqual(expect.arrayContaining([
      '/word/document.xml', '/word/header1.xml', '/word/footer1.xml', '/word/footnotes.xml', '/word/media/image1.png',
      '/word/media/image2.png', '/_rels/.rels', '/word/_rels/document.xml.rels', '/word/_rels/header1.xml.rels',
    ]));
  });

  it('is detected by verifyOoxml, naming the part', async () => {
    for (const t of tampered) {
      const r = await verifyOoxml(t.bytes);
      expect(r.signatures[0]?.valid, t.part).toBe(false);
      expect(r.signatures[0]!.problems.join('\n'), t.part).toContain(t.part);
      expect(r.allValid).toBe(false);
    }
  });

  it.runIf(HAVE_LO)('is detected by LibreOffice', () => {
    for (const [i, t] of tampered.entries()) {
      expect(lo[i]!.signatures.map((s) => s.valid), t.part).toEqual([false]);
    }
  });
});

describe('other damage', () => {
  it('a flipped byte in the compressed data of a signed part: invalid, not a crash', async () => {
    const zip = readZip(signedDoc);
    const e = zip.entries.find((x) => x.name === 'word/document.xml')!;
    const bytes = new Uint8Array(signedDoc);
    bytes[Math.floor((e.localOffset + e.localEnd) / 2)]! ^= 0xff;
    const r = await verifyOoxml(bytes);
    expect(r.signatures[0]!.valid).toBe(false);
    expect(r.signatures[0]!.problems.join('\n')).toMatch(/word\/document\.xml/);
  });

  it('a signed part removed: invalid', async () => {
    const zip = readZip(signedDoc);
    const bytes = writeZip(zip, zip.entries.filter((e) => e.name !== 'word/footer1.xml').map((copy) => ({ copy })));
    const r = await verifyOoxml(bytes);
    expect(r.signatures[0]!.valid).toBe(false);
    expect(r.signatures[0]!.problems.join('\n')).toMatch(/footer1\.xml\?ContentType=[^:]*: part missing/);
  });

  it('the signature value, a signed property or the signer certificate changed: invalid', async () => {
    const sigPart = '/_xmlsignatures/sig1.xml';
    const xml = Buffer.from(openPackage(signedDoc).read(sigPart)).toString('utf8');
    const value = /<SignatureValue>([^<]+)</.exec(xml)![1]!;
    const flipped = Buffer.from(value, 'base64');
    flipped[10]! ^= 1;
    const other = new Uint8Array(Buffer.from(readFileSync(fixtures().pki.signers.ec256.cert, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const variants: Record<string, string> = {
      signatureValue: xml.replace(value, flipped.toString('base64')),
      signingTime: xml.replace('<xd:SigningTime>2026-11-23T08:00:00Z', '<xd:SigningTime>2026-11-22T08:00:00Z'),
      comment: xml.replace('<SignatureComments></SignatureComments>', '<SignatureComments>x</SignatureComments>'),
      certificate: xml.replace(/<X509Certificate>[^<]+</, `<X509Certificate>${Buffer.from(other).toString('base64')}<`),
    };
    for (const [what, text] of Object.entries(variants)) {
      expect(text, what).not.toBe(xml);
      const r = await verifyOoxml(withPart(signedDoc, sigPart, new Uint8Array(Buffer.from(text, 'utf8'))));
      expect(r.signatures[0]!.valid, what).toBe(false);
    }
  });

  it('document properties may change after signing, as in Office (not signed)', async () => {
    const core = Buffer.from(openPackage(signedDoc).read('/docProps/core.xml')).toString('utf8');
    const changed = core.replace(/<\/cp:coreProperties>/, '<dc:subject>Đã sửa</dc:subject></cp:coreProperties>');
    const r = await verifyOoxml(withPart(signedDoc, '/docProps/core.xml', new Uint8Array(Buffer.from(changed, 'utf8'))));
    expect(r.signatures[0]).toMatchObject({ valid: true, coversAllParts: true });
  });

  it('a relationship and part added after signing leave the signature valid but no longer covering the package', async () => {
    const pkg = openPackage(signedDoc);
    const rels = Buffer.from(pkg.read('/word/_rels/document.xml.rels')).toString('utf8')
      .replace('</Relationships>', '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/them.png"/></Relationships>');
    const bytes = withAddedParts(signedDoc, new Map([['/word/_rels/document.xml.rels', new Uint8Array(Buffer.from(rels, 'utf8'))]]),
      [{ partName: '/word/media/them.png', data: makePng(8, 8, 9) }]);
    const s = (await verifyOoxml(bytes)).signatures[0]!;
    expect(s.valid).toBe(true);
    expect(s.coversAllParts).toBe(false);
    expect(s.problems.join('\n')).toMatch(/relationship rId99 in \/word\/_rels\/document\.xml\.rels.*\/word\/media\/them\.png/);
  });

  it('an unsigned package has no signatures', async () => {
    expect(await verifyOoxml(MULTIPART!.bytes)).toEqual({ signatures: [], allValid: false });
  });
});

describe('signing checks its own result', () => {
  it('a token that signs something else (wrong mechanism) makes signOoxml fail with SIGNING_FAILED', async () => {
    const key = await keyFor('ec256');
    const wrong = {
      certificate: key.certificate, chain: key.chain, keyType: key.keyType, keySize: key.keySize,
      signDigest: key.signDigest.bind(key),
      // As a token hashing the data once more would: a well-formed signature over other bytes.
      signData: async (data: Uint8Array, hash: 'SHA-256' | 'SHA-384' | 'SHA-512') => key.signData(new Uint8Array(createHash('sha256').update(data).digest()), hash),
    };
    await expect(signOoxml(PANDOC!.bytes, wrong)).rejects.toMatchObject({ code: 'SIGNING_FAILED' });
  });
});

describe('LibreOffice 7.4 and a hyperlink with "&"', () => {
  it('Kyso signs and verifies it; LibreOffice built on libxmlsec 1.2.37 cannot (its transform does not escape "&")', async () => {
    const { doc, signed: out } = ampersand;
    expect(Buffer.from(openPackage(doc.bytes).read('/word/_rels/document.xml.rels')).toString('utf8')).toContain('&amp;loai=1');
    expect((await verifyOoxml(out)).allValid).toBe(true);
    if (HAVE_LO) {
      // Recorded, not asserted: a LibreOffice on a fixed libxmlsec reports it valid.
      const r = ampersand.lo;
      console.info(`LibreOffice on a signed DOCX with "&" in a hyperlink: ${JSON.stringify(r!.signatures.map((s) => s.valid))}`);
    }
  });
});

describe('files that are not signable Office packages', () => {
  const cases: [string, () => Uint8Array, string][] = [
    ['a password-protected document (OLE file with EncryptedPackage)', () => makeCompoundFile(['EncryptionInfo', 'EncryptedPackage']), 'DOCUMENT_ENCRYPTED'],
    ['a legacy Word 97 .doc', () => makeLegacyDoc(PANDOC!.bytes), 'UNSUPPORTED_FORMAT'],
    ['a PDF', () => new Uint8Array(readFileSync(path.resolve(fixtures().corpus.dir, fixtures().corpus.entries.find((e) => e.expect === 'sign')!.file))), 'UNSUPPORTED_FORMAT'],
    ['an OpenDocument text', () => writeZip(undefined, [{ name: 'mimetype', data: new Uint8Array(Buffer.from('application/vnd.oasis.opendocument.text')) }, { name: 'content.xml', data: new Uint8Array(Buffer.from('<x/>')) }]), 'UNSUPPORTED_FORMAT'],
    ['an empty file', () => new Uint8Array(0), 'DOCUMENT_CORRUPT'],
    ['garbage', () => new Uint8Array(Buffer.from('Đây không phải tài liệu Word.'.repeat(40))), 'DOCUMENT_CORRUPT'],
    ['a truncated DOCX', () => MULTIPART!.bytes.subarray(0, MULTIPART!.bytes.length >> 1), 'DOCUMENT_CORRUPT'],
    ['a ZIP without [Content_Types].xml', () => writeZip(undefined, [{ name: 'word/document.xml', data: new Uint8Array(Buffer.from('<w/>')) }]), 'DOCUMENT_CORRUPT'],
    ['a ZIP with two entries of the same name', () => {
      const zip = readZip(PANDOC!.bytes);
      return writeZip(zip, [...zip.entries, zip.entries.find((e) => e.name === 'word/document.xml')!].map((copy) => ({ copy })));
    }, 'DOCUMENT_CORRUPT'],
    ['a package without a main document', () => {
      const pkg = openPackage(PANDOC!.bytes);
      const rels = Buffer.from(pkg.read('/_rels/.rels')).toString('utf8').replace(/<Relationship [^>]*officeDocument"[^>]*\/>/, '');
      return writePackage(pkg, new Map([['/_rels/.rels', new Uint8Array(Buffer.from(rels))]]), []);
    }, 'DOCUMENT_CORRUPT'],
  ];

  it.each(cases)('%s', async (_what, make, code) => {
    const bytes = make();
    const key = await keyFor('rsa');
    await expect(signOoxml(bytes, key)).rejects.toMatchObject({ name: 'KysoError', code });
    if (!/main document/.test(_what)) await expect(verifyOoxml(bytes)).rejects.toMatchObject({ name: 'KysoError', code });
  });
});
