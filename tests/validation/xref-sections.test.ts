/**
 * The cross-reference reader on every real-producer file of the corpus (tables, compressed xref streams with PNG
 * predictors, hybrid files, linearized files, mutool's incremental updates): every section of the /Prev chain
 * reads, and the objects it declares are the ones qpdf lists as in use.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readXrefSection, startxrefBefore, updatesAfter } from '../../src/core/validation/xref-sections.js';
import { fixtures } from '../helpers/fixtures.js';

const readable = fixtures().corpus.entries.filter((e) => e.expect === 'sign');

describe('xref sections of the corpus', () => {
  it.each(readable.map((e) => [path.basename(e.file), e.file] as const))('%s', (_name, file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const declared = new Set<number>();
    const seen = new Set<number>();
    for (let offset = startxrefBefore(bytes, bytes.length); offset !== undefined && !seen.has(offset);) {
      seen.add(offset);
      const s = readXrefSection(bytes, offset);
      if (s.revisionEnd !== undefined) expect(s.revisionEnd).toBeGreaterThan(offset);
      for (const e of s.entries) if (e.inUse) declared.add(e.objectNumber);
      offset = s.prev;
    }
    // qpdf's view of the merged table: every object it shows as in use was declared by some section we read.
    const qpdf = execFileSync('qpdf', ['--show-xref', file], { encoding: 'utf8' });
    const inUse = [...qpdf.matchAll(/^(\d+)\/\d+: (?:uncompressed|compressed)/gm)].map((m) => Number(m[1]));
    expect(inUse.length).toBeGreaterThan(0);
    for (const n of inUse) expect(declared.has(n), `object ${n}`).toBe(true);
  });
});

describe('offsets a damaged file claims', () => {
  // Found by the fuzzer (seed 20261202, cases 0 and 55): a ByteRange ending past the file crashed the analysis.
  it('past the end of the file: no crash, nothing found', () => {
    const pdf = new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\nstartxref\n9\n%%EOF\n', 'latin1'));
    expect(() => startxrefBefore(pdf, pdf.length + 5000)).not.toThrow();
    expect(startxrefBefore(pdf, pdf.length + 100)).toBe(9); // the window still overlaps the file
    expect(updatesAfter(pdf, pdf.length + 5000).sections).toEqual([]);
    expect(() => startxrefBefore(pdf, -7)).not.toThrow();
  });
});
