/**
 * The signature image: PNG (alpha kept as an /SMask, so a scanned signature on a transparent background
 * does not hide the page) or JPEG (embedded as is, /DCTDecode). Decoding comes from @libpdf/core in a
 * scratch document; the image XObject is imported into our update.
 */
import { PDF, type PdfRef, type PDFImage } from '@libpdf/core';
import { KysoError } from '../../errors.js';
import type { UpdateObject } from '../incremental-writer.js';
import { ObjectImporter } from './import-objects.js';

export const MAX_IMAGE_PIXELS = 25_000_000;

export class SignatureImage {
  private constructor(private readonly scratch: PDF, private readonly image: PDFImage) {}

  /** From base64 (as the protocol carries it) or bytes. Throws BAD_REQUEST for anything but a readable PNG/JPEG. */
  static load(input: string | Uint8Array): SignatureImage {
    const bytes = typeof input === 'string' ? new Uint8Array(Buffer.from(input.replace(/^data:[^,]*,/, ''), 'base64')) : input;
    const isPng = bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
    const isJpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8;
    if (!isPng && !isJpeg) throw new KysoError('BAD_REQUEST', 'signature image must be PNG or JPEG');
    const scratch = PDF.create();
    let image: PDFImage;
    try {
      image = isPng ? scratch.embedPng(bytes) : scratch.embedJpeg(bytes);
    } catch (cause) {
      throw new KysoError('BAD_REQUEST', `unreadable signature image: ${(cause as Error).message}`, { cause });
    }
    if (!(image.width > 0 && image.height > 0) || image.width * image.height > MAX_IMAGE_PIXELS) {
      throw new KysoError('BAD_REQUEST', `signature image size ${image.width}×${image.height} not accepted`);
    }
    return new SignatureImage(scratch, image);
  }

  get width(): number { return this.image.width; }
  get height(): number { return this.image.height; }

  /** Writes the image XObject (and its soft mask); returns its ref in the update. */
  emit(allocate: () => PdfRef): { ref: PdfRef; objects: UpdateObject[] } {
    const importer = new ObjectImporter(this.scratch, allocate);
    const ref = importer.importRef(this.image.ref);
    return { ref, objects: importer.objects };
  }
}
