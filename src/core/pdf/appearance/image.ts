/**
 * The signature image: PNG (alpha kept as an /SMask, so a scanned signature on a transparent background
 * does not hide the page) or JPEG (embedded as is, /DCTDecode). Decoding comes from @libpdf/core in a
 * scratch document; the image XObject is imported into our update.
 *
 * In a PDF/A file the rules (pdfa-rules.ts) may ask for the pixels in another device colour space, or the alpha
 * composited onto white (PDF/A-1 has no transparency); the PNG's pixels are then rewritten here.
 */
import { PDF, PdfName, PdfNumber, PdfRef, PdfStream, type PDFImage } from '@libpdf/core';
import { KysoError } from '../../errors.js';
import type { UpdateObject } from '../incremental-writer.js';
import { ObjectImporter } from './import-objects.js';
import { deviceSpaceName, PLAIN_RULES, type AppearanceRules, type DeviceColour } from './pdfa-rules.js';

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

  /** Writes the image XObject (and its soft mask, unless `rules` flatten it); returns its ref in the update. */
  emit(allocate: () => PdfRef, rules: AppearanceRules = PLAIN_RULES): { ref: PdfRef; objects: UpdateObject[] } {
    const importer = new ObjectImporter(this.scratch, allocate);
    const ref = importer.importRef(this.conforming(rules));
    return { ref, objects: importer.objects };
  }

  private readonly conformed = new Map<string, PdfRef>();

  /** The scratch image as `rules` allow it: the original when it already does, else a rewritten copy. */
  private conforming(rules: AppearanceRules): PdfRef {
    const image = this.scratch.getObject(this.image.ref);
    if (!(image instanceof PdfStream)) throw new KysoError('INTERNAL', 'scratch image missing');
    const space = image.getName('ColorSpace')?.value;
    const mask = image.get('SMask');
    const flatten = rules.flattenAlpha && mask instanceof PdfRef;
    const recolour = rules.colour !== undefined && space !== 'DeviceGray' && space !== deviceSpaceName(rules.colour);
    if (!flatten && !recolour) return this.image.ref;
    const key = `${rules.colour}:${flatten}`;
    const done = this.conformed.get(key);
    if (done) return done;
    if (image.getName('Filter')?.value === 'DCTDecode') {
      throw new KysoError('BAD_REQUEST', `Ảnh JPEG màu không dùng được trong tệp PDF/A này (in theo hệ màu ${rules.colour}); hãy dùng ảnh PNG / a colour JPEG cannot be used in this PDF/A file (its output intent is ${rules.colour}); use a PNG`);
    }
    const components = space === 'DeviceRGB' ? 3 : space === 'DeviceGray' ? 1 : 0;
    const pixels = image.getDecodedData();
    const alphaStream = flatten ? this.scratch.getObject(mask) : undefined;
    const alpha = alphaStream instanceof PdfStream ? alphaStream.getDecodedData() : undefined;
    const count = this.width * this.height;
    if (components === 0 || image.getNumber('BitsPerComponent')?.value !== 8 || pixels.length !== count * components
      || (flatten && alpha?.length !== count)) {
      throw new KysoError('BAD_REQUEST', 'Ảnh PNG này (độ sâu màu 16 bit hoặc dưới 8 bit) không dùng được trong tệp PDF/A; hãy lưu lại ảnh PNG 8 bit / this PNG (16-bit or below 8-bit samples) cannot be used in a PDF/A file; save it as an 8-bit PNG');
    }
    const target: DeviceColour = recolour && rules.colour ? rules.colour : components === 1 ? 'Gray' : 'RGB';
    const data = convertPixels(pixels, components, alpha, target);
    const copy = PdfStream.fromDict({
      Type: PdfName.of('XObject'),
      Subtype: PdfName.of('Image'),
      Width: PdfNumber.of(this.width),
      Height: PdfNumber.of(this.height),
      ColorSpace: PdfName.of(deviceSpaceName(target)),
      BitsPerComponent: PdfNumber.of(8),
      ...(mask instanceof PdfRef && !flatten ? { SMask: mask } : {}),
    }, data);
    const ref = this.scratch.register(copy);
    this.conformed.set(key, ref);
    return ref;
  }
}

const TARGET_COMPONENTS: Record<DeviceColour, number> = { RGB: 3, CMYK: 4, Gray: 1 };

/**
 * 8-bit samples (1 grey or 3 RGB components a pixel) to `target`, composited onto white by `alpha` when given.
 * The conversions are pdfa-rules.ts's convertColour, inlined per pixel.
 */
export function convertPixels(pixels: Uint8Array, components: 1 | 3, alpha: Uint8Array | undefined, target: DeviceColour): Uint8Array {
  const count = pixels.length / components;
  const outComponents = TARGET_COMPONENTS[target];
  const out = new Uint8Array(count * outComponents);
  for (let i = 0; i < count; i++) {
    let r = pixels[i * components]!;
    let g = components === 3 ? pixels[i * 3 + 1]! : r;
    let b = components === 3 ? pixels[i * 3 + 2]! : r;
    if (alpha) {
      const a = alpha[i]! / 255;
      r = r * a + 255 * (1 - a);
      g = g * a + 255 * (1 - a);
      b = b * a + 255 * (1 - a);
    }
    const o = i * outComponents;
    if (target === 'RGB') {
      out[o] = Math.round(r); out[o + 1] = Math.round(g); out[o + 2] = Math.round(b);
    } else if (target === 'Gray') {
      out[o] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      const max = Math.max(r, g, b);
      const k = 255 - max;
      if (max === 0) {
        out[o + 3] = 255;
      } else {
        out[o] = Math.round(((max - r) / max) * 255);
        out[o + 1] = Math.round(((max - g) / max) * 255);
        out[o + 2] = Math.round(((max - b) / max) * 255);
        out[o + 3] = Math.round(k);
      }
    }
  }
  return out;
}
