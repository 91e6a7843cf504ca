/** Signature images for tests: an RGBA PNG written here (a pen stroke on a transparent background) and a JPEG from poppler. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A dark-blue "signature" stroke, fully transparent elsewhere. */
export function signaturePng(width = 240, height = 100): Uint8Array {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const cy = height / 2 + Math.sin((x / width) * Math.PI * 4) * height * 0.3;
      const loop = Math.hypot(x - width * 0.7, y - height * 0.45) - height * 0.22;
      const on = Math.abs(y - cy) < 3.5 || Math.abs(loop) < 3;
      const o = y * (width * 4 + 1) + 1 + x * 4;
      raw[o] = 10; raw[o + 1] = 30; raw[o + 2] = 140; raw[o + 3] = on ? 255 : 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit RGBA
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)),
  ]));
}

/** A JPEG (poppler's pdftoppm -jpeg of a page), as a scanned signature would be. */
export function jpegOf(pdfFile: string, page = 1): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-jpeg-'));
  try {
    const r = spawnSync('pdftoppm', ['-jpeg', '-r', '20', '-singlefile', '-f', String(page), '-l', String(page), pdfFile, path.join(dir, 'img')]);
    if (r.status !== 0) throw new Error(String(r.stderr));
    return new Uint8Array(readFileSync(path.join(dir, 'img.jpg')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
