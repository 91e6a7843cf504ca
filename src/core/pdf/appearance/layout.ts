/**
 * What a visible signature says and where each piece goes inside its box: text composition (labels, Vietnam
 * time), word wrap, shrink-to-fit, image beside the text. Pure and browser-safe: the signer measures with the
 * embedded font's metrics, the placement dialog's live preview with the same font in a canvas, so both agree.
 *
 * Coordinates are points in the box as displayed: origin bottom-left, y upwards.
 */
import { VIETNAM_ZONE_LABEL, vietnamWallClock } from '../../vietnam-clock.js';
import { DEFAULT_FONT_SIZE, MIN_FONT_SIZE, type SignatureAppearanceOptions } from './options.js';

/** The certificate fields an appearance can show (a subset of cert/parse's SubjectFields). */
export interface AppearanceSigner {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  title?: string;
  email?: string;
}

export interface AppearanceContext {
  signer: AppearanceSigner;
  /** The instant written in /M: one Date for both, so what is shown is what is recorded. */
  signingTime: Date;
  reason?: string;
  location?: string;
  /** /ContactInfo, shown with `show.contact`. */
  contact?: string;
  /**
   * A timestamp server will also record a time, known only after the signature exists: the time shown is then
   * labelled as the signer's computer clock, so a reader does not take it for the TSA's.
   */
  timestamped?: boolean;
}

/** Width in points of `text` at `size` (bold or regular face). */
export type Measure = (text: string, size: number, bold: boolean) => number;

export interface LaidOutLine {
  text: string;
  x: number;
  /** Baseline. */
  y: number;
}

export interface AppearanceLayout {
  width: number;
  height: number;
  fontSize: number;
  bold: boolean;
  lines: LaidOutLine[];
  /** Where the image is drawn (aspect kept), if any. */
  image?: { x: number; y: number; width: number; height: number };
  /** True when even the smallest size could not fit everything (the rest is clipped by the box). */
  overflow: boolean;
}

/** Vertical metrics as a fraction of the font size; generous enough for stacked Vietnamese capitals (Ế, Ỗ). */
export const ASCENT = 1.0;
export const DESCENT = 0.25;
export const LINE_HEIGHT = 1.25;
export const PADDING = 3;

const LABELS = {
  vi: { signer: 'Ký bởi', email: 'Email', organization: 'Cơ quan', organizationalUnit: 'Đơn vị', title: 'Chức vụ', time: 'Thời gian ký', reason: 'Lý do', location: 'Nơi ký', contact: 'Liên hệ', computerClock: 'giờ máy tính' },
  en: { signer: 'Signed by', email: 'Email', organization: 'Organization', organizationalUnit: 'Unit', title: 'Title', time: 'Signing time', reason: 'Reason', location: 'Location', contact: 'Contact', computerClock: 'computer clock' },
} as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `dd/MM/yyyy HH:mm:ss` in Vietnam time (UTC+7, no daylight saving), whatever this machine's zone. */
export function vietnamTime(d: Date): string {
  const t = vietnamWallClock(d);
  return `${pad2(t.getUTCDate())}/${pad2(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ` +
    `${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())}`;
}

/** Collapses runs of white space, trims, and normalises to NFC (what the font's cmap and ToUnicode expect). */
export const cleanText = (s: string): string => s.normalize('NFC').replace(/[\s\u00a0]+/g, ' ').trim();

/** The paragraphs of the appearance text, in order. Upper case applies to the values, not the labels. */
export function composeText(options: SignatureAppearanceOptions, ctx: AppearanceContext): string[] {
  const show = options.show ?? {};
  const labels = LABELS[options.language ?? 'vi'];
  const upper = (s: string): string => (options.upperCase ? s.toLocaleUpperCase('vi') : s);
  const out: string[] = [];
  const add = (on: boolean | undefined, fallback: boolean, label: string, value: string | undefined): void => {
    const v = value === undefined ? '' : cleanText(value);
    if ((on ?? fallback) && v) out.push(`${label}: ${upper(v)}`);
  };
  const s = ctx.signer;
  add(show.signer, true, labels.signer, s.commonName);
  add(show.email, false, labels.email, s.email);
  add(show.organizationalUnit, false, labels.organizationalUnit, s.organizationalUnit);
  add(show.organization, true, labels.organization, s.organization);
  add(show.title, false, labels.title, s.title);
  add(show.reason, true, labels.reason, ctx.reason);
  add(show.location, true, labels.location, ctx.location);
  add(show.contact, false, labels.contact, ctx.contact);
  // The zone is stated: a printed time without one is read in the reader's own zone.
  const zone = ctx.timestamped ? `${VIETNAM_ZONE_LABEL}, ${labels.computerClock}` : VIETNAM_ZONE_LABEL;
  if (show.time ?? true) out.push(`${labels.time}: ${vietnamTime(ctx.signingTime)} (${zone})`);
  for (const line of (options.text ?? '').split(/\r?\n/)) {
    const t = cleanText(line);
    if (t) out.push(upper(t));
  }
  return out;
}

/** Breaks one paragraph into lines no wider than `width`; a word wider than a line is broken between characters. */
export function wrapParagraph(text: string, fits: (s: string) => boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) { line = candidate; continue; }
    if (line) lines.push(line);
    line = '';
    if (fits(word)) { line = word; continue; }
    for (const ch of Array.from(word)) { // code points: NFC Vietnamese letters are single code points
      if (line && !fits(line + ch)) { lines.push(line); line = ''; }
      line += ch;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const blockHeight = (n: number, size: number): number => (n === 0 ? 0 : (ASCENT + DESCENT + (n - 1) * LINE_HEIGHT) * size);

/**
 * Fits paragraphs into a `width`×`height` area: the largest size ≤ maxSize (in steps of 0.25 pt, down to
 * MIN_FONT_SIZE) at which the wrapped text fits, then lays the lines out left-aligned and vertically centred.
 */
export function fitText(
  paragraphs: readonly string[], area: { x: number; y: number; width: number; height: number },
  maxSize: number, bold: boolean, measure: Measure,
): { fontSize: number; lines: LaidOutLine[]; overflow: boolean } {
  const wrapAt = (size: number): string[] =>
    paragraphs.flatMap((p) => wrapParagraph(p, (s) => measure(s, size, bold) <= area.width + 1e-6));
  let size = Math.max(MIN_FONT_SIZE, maxSize);
  let lines = wrapAt(size);
  let overflow = false;
  while (blockHeight(lines.length, size) > area.height + 1e-6 || lines.some((l) => measure(l, size, bold) > area.width + 1e-6)) {
    if (size - 0.25 < MIN_FONT_SIZE) { overflow = true; break; }
    size -= 0.25;
    lines = wrapAt(size);
  }
  const total = blockHeight(lines.length, size);
  const top = area.y + area.height - Math.max(0, (area.height - total) / 2);
  return {
    fontSize: size,
    overflow,
    lines: lines.map((text, i) => ({ text, x: area.x, y: top - ASCENT * size - i * LINE_HEIGHT * size })),
  };
}

/** Fits an image of the given pixel size into an area, keeping its aspect ratio, centred. */
export function fitImage(natural: { width: number; height: number }, area: { x: number; y: number; width: number; height: number }):
  { x: number; y: number; width: number; height: number } {
  const scale = Math.min(area.width / natural.width, area.height / natural.height);
  const width = natural.width * scale;
  const height = natural.height * scale;
  return { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
}

/**
 * Lays out a signature box of `width`×`height` (as displayed). With an image and text, the image takes the
 * left part (at most 40% of the width, less for a narrow image) and the text the rest.
 */
export function layoutAppearance(
  options: SignatureAppearanceOptions, ctx: AppearanceContext, box: { width: number; height: number },
  measure: Measure, imageSize?: { width: number; height: number },
): AppearanceLayout {
  const mode = options.mode ?? (imageSize ? 'image-text' : 'text');
  const bold = options.bold ?? false;
  const inner = { x: PADDING, y: PADDING, width: Math.max(1, box.width - 2 * PADDING), height: Math.max(1, box.height - 2 * PADDING) };
  const base = { width: box.width, height: box.height, bold };
  if (mode === 'image' && imageSize) {
    return { ...base, fontSize: options.fontSize ?? DEFAULT_FONT_SIZE, lines: [], image: fitImage(imageSize, inner), overflow: false };
  }
  let textArea = inner;
  let image: AppearanceLayout['image'];
  if (mode === 'image-text' && imageSize) {
    const wanted = (inner.height * imageSize.width) / imageSize.height;
    const imageWidth = Math.min(inner.width * 0.4, wanted);
    image = fitImage(imageSize, { ...inner, width: imageWidth });
    textArea = { ...inner, x: inner.x + imageWidth + PADDING, width: Math.max(1, inner.width - imageWidth - PADDING) };
  }
  const fitted = fitText(composeText(options, ctx), textArea, options.fontSize ?? DEFAULT_FONT_SIZE, bold, measure);
  return { ...base, ...fitted, ...(image ? { image } : {}) };
}

/** A single stamped line (số văn bản, ngày văn bản): left-aligned, vertically centred, shrunk to fit. */
export function layoutStamp(text: string, box: { width: number; height: number }, maxSize: number, bold: boolean, measure: Measure): AppearanceLayout {
  const area = { x: 1, y: 0, width: Math.max(1, box.width - 2), height: box.height };
  const t = cleanText(text);
  let size = maxSize;
  while (size - 0.25 >= MIN_FONT_SIZE && (measure(t, size, bold) > area.width || (ASCENT + DESCENT) * size > area.height)) size -= 0.25;
  const overflow = measure(t, size, bold) > area.width;
  const y = (box.height - (ASCENT + DESCENT) * size) / 2 + DESCENT * size;
  return { width: box.width, height: box.height, fontSize: size, bold, lines: [{ text: t, x: area.x, y }], overflow };
}
