/**
 * The pieces under the OOXML signer: Canonical XML (W3C C14N examples), the RelationshipTransform, the ZIP layer's
 * raw copies (data descriptors included), name and serial encodings, and the software SigningKey's contract.
 */
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalizeDocument, canonicalizeElement } from '../../src/core/ooxml/c14n.js';
import { compactRelationships, relationshipTransform } from '../../src/core/ooxml/relationship-transform.js';
import { crc32, readEntry, readZip, writeZip } from '../../src/core/ooxml/zip.js';
import { resolveTarget, relsPartOf, relsSource } from '../../src/core/ooxml/package.js';
import { integerToDecimal, rfc4514 } from '../../src/core/ooxml/signature-xml.js';
import { certificateDerFields } from '../../src/core/cert/der-fields.js';
import { descendants, parseXml } from '../../src/core/ooxml/xml.js';
import { fixtures } from '../helpers/fixtures.js';
import { digestOf, fixtureSoftwareKey } from '../helpers/software-key.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('Canonical XML', () => {
  // W3C C14N 1.0 §3.3, without the DTD (its default attribute is left out of the expected output).
  const tags = `<doc>
   <e1   />
   <e2   ></e2>
   <e3   name = "elem3"   id="elem3"   />
   <e4   name="elem4"   id="elem4"   ></e4>
   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
      xmlns:b="http://www.ietf.org"
      xmlns:a="http://www.w3.org"
      xmlns="http://example.org"/>
   <e6 xmlns="" xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="" xmlns:a="http://www.w3.org">
            <e9 xmlns="" xmlns:a="http://www.ietf.org"/>
         </e8>
      </e7>
   </e6>
</doc>`;

  it('start and end tags, attribute and namespace order, superfluous declarations (C14N §3.3)', () => {
    expect(text(canonicalizeDocument(parseXml(tags, 't')))).toBe(`<doc>
   <e1></e1>
   <e2></e2>
   <e3 id="elem3" name="elem3"></e3>
   <e4 id="elem4" name="elem4"></e4>
   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>
   <e6 xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="">
            <e9 xmlns:a="http://www.ietf.org"></e9>
         </e8>
      </e7>
   </e6>
</doc>`);
  });

  it('a subtree carries the namespaces in scope (inclusive) or only those it uses (exclusive)', () => {
    const e7 = descendants(parseXml(tags, 't'), 'http://www.ietf.org', 'e7')[0]!;
    expect(text(canonicalizeElement(e7))).toBe(`<e7 xmlns="http://www.ietf.org" xmlns:a="http://www.w3.org">
         <e8 xmlns="">
            <e9 xmlns:a="http://www.ietf.org"></e9>
         </e8>
      </e7>`);
    expect(text(canonicalizeElement(e7, { exclusive: true }))).toBe(`<e7 xmlns="http://www.ietf.org">
         <e8 xmlns="">
            <e9></e9>
         </e8>
      </e7>`);
  });

  it('PIs and comments outside the document element (C14N §3.1)', () => {
    const doc = parseXml(`<?xml version="1.0"?>

<?xml-stylesheet   href="doc.xsl"
   type="text/xsl"   ?>

<doc>Hello, world!<!-- Comment 1 --></doc>

<?pi-without-data     ?>

<!-- Comment 2 -->

<!-- Comment 3 -->`, 't');
    expect(text(canonicalizeDocument(doc))).toBe('<?xml-stylesheet href="doc.xsl"\n   type="text/xsl"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>');
    expect(text(canonicalizeDocument(doc, { comments: true }))).toBe('<?xml-stylesheet href="doc.xsl"\n   type="text/xsl"   ?>\n<doc>Hello, world!<!-- Comment 1 --></doc>\n<?pi-without-data?>\n<!-- Comment 2 -->\n<!-- Comment 3 -->');
  });

  it('escapes text and attribute values, normalises line ends, drops CDATA markers', () => {
    const doc = parseXml('<doc a="&lt;&quot;&#x9;&#xA;&#xD;\'&gt;">x &amp; y &gt; z&#xD;\r\n<![CDATA[<ơ>]]></doc>', 't');
    expect(text(canonicalizeDocument(doc))).toBe('<doc a="&lt;&quot;&#x9;&#xA;&#xD;\'>">x &amp; y &gt; z&#xD;\n&lt;ơ&gt;</doc>');
  });

  it('gives an apex element the xml: attributes of its ancestors (inclusive only)', () => {
    const doc = parseXml('<a xml:lang="vi" xmlns:p="urn:p"><b><c p:x="1"/></b></a>', 't');
    const b = descendants(doc, null, 'b')[0]!;
    expect(text(canonicalizeElement(b))).toBe('<b xmlns:p="urn:p" xml:lang="vi"><c p:x="1"></c></b>');
    expect(text(canonicalizeElement(b, { exclusive: true }))).toBe('<b><c xmlns:p="urn:p" p:x="1"></c></b>');
  });
});

describe('RelationshipTransform', () => {
  const rels = new Uint8Array(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <!-- a comment -->
  <Relationship Id="rId10" Type="http://t/b" Target="b.xml"/>
  <Relationship Target="https://example.vn/?a=1&amp;b=2" Id="rId2" Type="http://t/h" TargetMode="External"/>
  <Relationship Id="rId1" Type="http://t/a" Target="a.xml"></Relationship>
</Relationships>
`));

  it('keeps the selected relationships sorted by Id, adds TargetMode, drops everything else', () => {
    expect(text(relationshipTransform(rels, { sourceIds: ['rId1', 'rId2', 'rId10'] }))).toBe(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + '<Relationship Id="rId1" Target="a.xml" TargetMode="Internal" Type="http://t/a"></Relationship>'
      + '<Relationship Id="rId10" Target="b.xml" TargetMode="Internal" Type="http://t/b"></Relationship>'
      + '<Relationship Id="rId2" Target="https://example.vn/?a=1&amp;b=2" TargetMode="External" Type="http://t/h"></Relationship>'
      + '</Relationships>');
    expect(text(relationshipTransform(rels, { sourceIds: ['rId10'], sourceTypes: ['http://t/a'] }))).toBe(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + '<Relationship Id="rId1" Target="a.xml" TargetMode="Internal" Type="http://t/a"></Relationship>'
      + '<Relationship Id="rId10" Target="b.xml" TargetMode="Internal" Type="http://t/b"></Relationship>'
      + '</Relationships>');
  });

  it('compacting a relationships part removes only what the transform ignores', () => {
    const compact = compactRelationships(rels)!;
    expect(text(compact)).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId10" Type="http://t/b" Target="b.xml"/><Relationship Target="https://example.vn/?a=1&amp;b=2" Id="rId2" Type="http://t/h" TargetMode="External"/><Relationship Id="rId1" Type="http://t/a" Target="a.xml"></Relationship></Relationships>
`);
    const all = { sourceIds: ['rId1', 'rId2', 'rId10'] };
    expect(relationshipTransform(compact, all)).toEqual(relationshipTransform(rels, all));
    expect(compactRelationships(compact)).toBeUndefined();
  });
});

describe('package names', () => {
  it('resolves relationship targets and relationship part names', () => {
    expect(resolveTarget('/', 'word/document.xml')).toBe('/word/document.xml');
    expect(resolveTarget('/word/document.xml', 'media/image1.png')).toBe('/word/media/image1.png');
    expect(resolveTarget('/word/document.xml', '../customXml/item1.xml')).toBe('/customXml/item1.xml');
    expect(resolveTarget('/word/document.xml', '/word/styles.xml#x')).toBe('/word/styles.xml');
    expect(relsPartOf('/')).toBe('/_rels/.rels');
    expect(relsPartOf('/word/document.xml')).toBe('/word/_rels/document.xml.rels');
    expect(relsSource('/_rels/.rels')).toBe('/');
    expect(relsSource('/word/_rels/document.xml.rels')).toBe('/word/document.xml');
  });

  it('writes X509IssuerName as RFC 4514 (Vietnamese kept as UTF-8) and the serial in decimal', () => {
    const der = new Uint8Array(new X509Certificate(readFileSync(fixtures().pki.signers.rsa.cert)).raw);
    const f = certificateDerFields(der);
    expect(rfc4514(f.issuer)).toBe('CN=Kyso Test Sub CA — Ký số,O=Công ty Kiểm thử Kyso,C=VN');
    expect(integerToDecimal(f.serial)).toBe(BigInt(`0x${new X509Certificate(der).serialNumber}`).toString());
    expect(integerToDecimal(Uint8Array.of(0x02, 0x01, 0xff))).toBe('-1');
  });
});

describe('ZIP layer', () => {
  /** An entry written with a data descriptor (sizes after the data), as streaming writers do. */
  function streamedZip(name: string, data: Uint8Array): Uint8Array {
    const n = Buffer.from(name);
    const comp = deflateRawSync(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x08, 6); local.writeUInt16LE(8, 8);
    local.writeUInt16LE(n.length, 26);
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0); desc.writeUInt32LE(crc32(data), 4); desc.writeUInt32LE(comp.length, 8); desc.writeUInt32LE(data.length, 12);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0x08, 8);
    central.writeUInt16LE(8, 10); central.writeUInt32LE(crc32(data), 16); central.writeUInt32LE(comp.length, 20);
    central.writeUInt32LE(data.length, 24); central.writeUInt16LE(n.length, 28);
    const body = Buffer.concat([local, n, comp, desc]);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(1, 8); eocd.writeUInt16LE(1, 10);
    eocd.writeUInt32LE(central.length + n.length, 12); eocd.writeUInt32LE(body.length, 16);
    return new Uint8Array(Buffer.concat([body, central, n, eocd]));
  }

  it('copies entries raw, data descriptors included, and reads them back', () => {
    const data = new Uint8Array(Buffer.from('<w:document>Nội dung</w:document>'.repeat(20)));
    const src = readZip(streamedZip('word/document.xml', data));
    expect(src.entries[0]!.localEnd - src.entries[0]!.localOffset).toBe(src.bytes.length - 22 - 46 - 'word/document.xml'.length);
    const out = readZip(writeZip(src, [{ name: 'new.xml', data: new Uint8Array(Buffer.from('<n/>')) }, { copy: src.entries[0]! }]));
    const e = out.entries.find((x) => x.name === 'word/document.xml')!;
    expect(Buffer.from(out.bytes.subarray(e.localOffset, e.localEnd))).toEqual(Buffer.from(src.bytes.subarray(src.entries[0]!.localOffset, src.entries[0]!.localEnd)));
    expect(Buffer.from(readEntry(out, e))).toEqual(Buffer.from(data));
    expect(text(readEntry(out, out.entries[0]!))).toBe('<n/>');
  });

  it('refuses entries whose local header disagrees with the central directory', () => {
    const good = Buffer.from(streamedZip('word/document.xml', new Uint8Array(10)));
    good.write('W', 30); // local name now "Word/document.xml"
    expect(() => readZip(new Uint8Array(good))).toThrow(/differs/);
  });
});

describe('software SigningKey (test helper) honours the SigningKey contract', () => {
  it.each(['rsa', 'ec256', 'ec384'] as const)('%s: signDigest and signData verify with the certificate', async (signer) => {
    const key = fixtureSoftwareKey(signer);
    const pub = createPublicKey(new X509Certificate(readFileSync(fixtures().pki.signers[signer].cert)).publicKey.export({ type: 'spki', format: 'pem' }));
    const data = new Uint8Array(Buffer.from('Tờ khai đăng ký'));
    for (const hash of ['SHA-256', 'SHA-384'] as const) {
      const alg = hash === 'SHA-256' ? 'sha256' : 'sha384';
      const opts = key.keyType === 'EC' ? { key: pub, dsaEncoding: 'der' as const } : pub;
      expect(verify(alg, data, opts, await key.signDigest(digestOf(data, hash), hash))).toBe(true);
      expect(verify(alg, data, opts, await key.signData(data, hash))).toBe(true);
    }
    expect(createHash('sha256').update(key.certificate).digest('hex')).toBe(new X509Certificate(readFileSync(fixtures().pki.signers[signer].cert)).fingerprint256.replace(/:/g, '').toLowerCase());
  });
});
