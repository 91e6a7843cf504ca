/**
 * Writes a valid PDF of about `bytes` bytes without holding it in memory: `pages` pages, each drawing one
 * uncompressed grey image whose samples fill the size (cheap for verifiers: nothing to inflate). For the bench
 * (`npm run bench`) and the large-file tests. `node scripts/make-large-pdf.mjs OUT BYTES [PAGES]`.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function makeLargePdf(file, bytes, pages = 4) {
  const fd = openSync(file, 'w');
  let offset = 0;
  const offsets = [];
  const write = (b) => { const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b; for (let o = 0; o < buf.length;) o += writeSync(fd, buf, o); offset += buf.length; };
  const obj = (n, body) => { offsets[n] = offset; write(`${n} 0 obj\n${body}\nendobj\n`); };
  try {
    write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
    // Objects: 1 catalog, 2 pages, then per page i: page 3+3i, contents 4+3i, image 5+3i.
    obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
    obj(2, `<< /Type /Pages /Count ${pages} /Kids [${Array.from({ length: pages }, (_, i) => `${3 + 3 * i} 0 R`).join(' ')}] >>`);
    const width = 1024;
    const rows = Math.max(1, Math.floor(bytes / pages / width));
    const chunk = Buffer.alloc(width * 64);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7 + (i >> 10) * 13) & 0xff;
    for (let p = 0; p < pages; p++) {
      const [page, contents, image] = [3 + 3 * p, 4 + 3 * p, 5 + 3 * p];
      obj(page, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${contents} 0 R /Resources << /XObject << /Im0 ${image} 0 R >> >> >>`);
      const draw = 'q 495 0 0 700 50 70 cm /Im0 Do Q\n';
      obj(contents, `<< /Length ${draw.length} >>\nstream\n${draw}endstream`);
      offsets[image] = offset;
      const length = width * rows;
      write(`${image} 0 obj\n<< /Type /XObject /Subtype /Image /Width ${width} /Height ${rows} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length ${length} >>\nstream\n`);
      for (let left = length; left > 0; left -= chunk.length) write(left >= chunk.length ? chunk : chunk.subarray(0, left));
      write('\nendstream\nendobj\n');
    }
    const size = 3 + 3 * pages;
    const xref = offset;
    let table = `xref\n0 ${size}\n0000000000 65535 f\r\n`;
    for (let n = 1; n < size; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n\r\n`;
    write(`${table}trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  } finally {
    closeSync(fd);
  }
  return offset;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, size, pages] = process.argv.slice(2);
  if (!out || !size) throw new Error('usage: make-large-pdf.mjs OUT BYTES [PAGES]');
  makeLargePdf(out, Number(size), pages ? Number(pages) : undefined);
}
