/**
 * `kyso sign`'s appearance flags (how a visible signature looks) and `--appearance-preset FILE`: an office's house
 * style as JSON in exactly the agent's `appearance` schema (appearanceOptionsSchema), the flags overriding it
 * field by field. Everything here is checked before the PIN is asked.
 */
import { Option, type Command } from 'commander';
import type * as z from 'zod';
import { KysoError } from '../core/errors.js';
import type { DocumentStamp, KeywordPlacement, PlacementRect, RectPlacement, SignatureAppearanceOptions } from '../core/pdf/appearance/options.js';
import type { AppearanceSigner } from '../core/pdf/appearance/layout.js';
import { readInput } from './read-input.js';

const APPEARANCE_HELP_GROUP = 'Hình thức chữ ký / Appearance (PDF):';

type Show = NonNullable<SignatureAppearanceOptions['show']>;

/** The line names of --show/--hide, as the help says them, and the engine's `show` keys. */
const LINES: Record<string, keyof Show> = {
  signer: 'signer', email: 'email', organization: 'organization', unit: 'organizationalUnit', title: 'title',
  time: 'time', reason: 'reason', location: 'location', contact: 'contact',
};

export interface AppearanceFlags {
  appearancePreset?: string;
  image?: string;
  show?: string;
  hide?: string;
  text?: string[];
  appearanceMode?: string;
  fontSize?: string;
  bold?: boolean;
  upperCase?: boolean;
  border?: boolean;
  labels?: string;
  documentNumber?: string;
  documentNumberAt?: string;
  documentDate?: string;
  documentDateAt?: string;
  contact?: string;
}

/** Adds the appearance flags to `cmd`, under their own heading in `kyso sign --help`. */
export function addAppearanceOptions(cmd: Command): Command {
  const lines = Object.keys(LINES).join(', ');
  const options = [
    new Option('--appearance-preset <file>', 'house style: a JSON file with the same fields as the agent\'s `appearance` (docs/protocol.md, pdf.sign); the flags below override it'),
    new Option('--image <file>', 'signature image (PNG/JPEG) shown beside the text'),
    new Option('--show <lines>', `lines to add, comma-separated: ${lines} (default: signer, organization, reason, location, time; email/unit/title come from the certificate, contact from --contact; time is Vietnam time, GMT+7, the instant recorded in the signature)`),
    new Option('--hide <lines>', 'lines to leave out (same names as --show)'),
    new Option('--text <line>', 'a line of free text after the others; repeat for more lines').argParser((v: string, prev: string[] = []) => [...prev, v]),
    new Option('--appearance-mode <mode>', 'text, image, or both (default: image-text with --image, else text)').choices(['text', 'image', 'image-text']),
    new Option('--font-size <pt>', 'largest font size in points (default 10); the text shrinks to fit the box'),
    new Option('--bold', 'bold text'),
    new Option('--no-bold', 'regular text (over a preset)'),
    new Option('--upper-case', 'values in capitals (VIẾT HOA)'),
    new Option('--no-upper-case', 'values as written (over a preset)'),
    new Option('--border', 'a thin frame around the box'),
    new Option('--no-border', 'no frame (over a preset)'),
    new Option('--labels <language>', 'label language: vi (Ký bởi, Thời gian ký…) or en (default vi)').choices(['vi', 'en']),
    new Option('--document-number <text>', 'số văn bản stamped as part of the signature (e.g. "Số: 123/QĐ-UBND"); needs --document-number-at'),
    new Option('--document-number-at <where>', 'where: a phrase on the page (the text goes right of it), or x1,y1,x2,y2[@page] in points'),
    new Option('--document-date <text>', 'ngày văn bản stamped likewise (e.g. "Hà Nội, ngày 02 tháng 12 năm 2026"); needs --document-date-at'),
    new Option('--document-date-at <where>', 'where, as --document-number-at'),
  ];
  for (const o of options) cmd.addOption(o.helpGroup(APPEARANCE_HELP_GROUP));
  return cmd;
}

/** "a,b, c" → the engine's show keys; an unknown name is a usage mistake, named. */
function lineNames(list: string, flag: string): (keyof Show)[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((name) => {
    const key = LINES[name.toLowerCase()];
    if (!key) throw new KysoError('BAD_REQUEST', `${flag} ${name}: one of ${Object.keys(LINES).join(', ')}`);
    return key;
  });
}

/** `x1,y1,x2,y2[@page]` → a rectangle placement; anything else is a phrase to find. */
function stampPlacement(where: string): RectPlacement | KeywordPlacement {
  const m = /^\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*(?:@\s*(\d+))?\s*$/.exec(where);
  if (!m) return { keyword: where };
  return { page: Number(m[5] ?? 1), rect: m.slice(1, 5).map(Number) as PlacementRect };
}

/** A stamp from the preset's and the flags': the flags' text and place replace the preset's. */
function stamp(base: DocumentStamp | undefined, text: string | undefined, at: string | undefined, flag: string): DocumentStamp | undefined {
  if (text === undefined && at === undefined) return base;
  const t = text ?? base?.text;
  if (!t) throw new KysoError('BAD_REQUEST', `${flag}-at needs ${flag} (the text to stamp)`);
  const placement = at !== undefined ? stampPlacement(at) : base?.placement;
  if (!placement) throw new KysoError('BAD_REQUEST', `${flag} needs ${flag}-at (a phrase, or x1,y1,x2,y2[@page])`);
  return { ...base, text: t, placement };
}

/** `path: message` for each problem zod found, so the user sees which field of the file is wrong. */
function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`).join('; ');
}

const PRESET_MAX_BYTES = 8 * 1024 * 1024;

/** The agent's schema (zod), loaded for a visible signature only: an invisible `kyso sign` never needs it. */
const appearanceSchema = async () => (await import('../core/pdf/appearance/schema.js')).appearanceOptionsSchema;

/** Reads and checks a preset file: APPEARANCE_PRESET_INVALID names the file and the field. */
export async function readAppearancePreset(file: string): Promise<SignatureAppearanceOptions> {
  const bytes = await readInput(file);
  if (bytes.length > PRESET_MAX_BYTES) throw new KysoError('APPEARANCE_PRESET_INVALID', `${file}: larger than ${PRESET_MAX_BYTES / 1024 / 1024} MB`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new KysoError('APPEARANCE_PRESET_INVALID', `${file}: not UTF-8 JSON (${(cause as Error).message})`, { cause });
  }
  const parsed = (await appearanceSchema()).safeParse(json);
  if (!parsed.success) throw new KysoError('APPEARANCE_PRESET_INVALID', `${file}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** True when any flag about the look was given (they need a placement). */
export function hasAppearanceFlags(f: AppearanceFlags): boolean {
  return [f.appearancePreset, f.image, f.show, f.hide, f.text, f.appearanceMode, f.fontSize, f.bold, f.upperCase, f.border, f.labels,
    f.documentNumber, f.documentNumberAt, f.documentDate, f.documentDateAt].some((v) => v !== undefined);
}

/** The appearance the preset and the flags describe (flags win), checked with the agent's schema. */
export async function appearanceFrom(f: AppearanceFlags): Promise<SignatureAppearanceOptions> {
  const preset = f.appearancePreset ? await readAppearancePreset(f.appearancePreset) : {};
  const shown = f.show ? lineNames(f.show, '--show') : [];
  const hidden = f.hide ? lineNames(f.hide, '--hide') : [];
  const both = shown.find((k) => hidden.includes(k));
  if (both) throw new KysoError('BAD_REQUEST', `--show and --hide both name ${Object.keys(LINES).find((n) => LINES[n] === both)}`);
  if (shown.includes('contact') && !f.contact) throw new KysoError('BAD_REQUEST', '--show contact needs --contact TEXT');
  const show: Show = { ...preset.show };
  for (const k of shown) show[k] = true;
  for (const k of hidden) show[k] = false;
  const fontSize = f.fontSize !== undefined ? Number(f.fontSize) : undefined;
  if (fontSize !== undefined && !Number.isFinite(fontSize)) throw new KysoError('BAD_REQUEST', `--font-size ${f.fontSize}: a number of points`);
  const image = f.image ? Buffer.from(await readInput(f.image)).toString('base64') : undefined;
  const documentNumber = stamp(preset.documentNumber, f.documentNumber, f.documentNumberAt, '--document-number');
  const documentDate = stamp(preset.documentDate, f.documentDate, f.documentDateAt, '--document-date');
  const merged: SignatureAppearanceOptions = {
    ...preset,
    ...(Object.keys(show).length ? { show } : {}),
    ...(f.text ? { text: f.text.join('\n') } : {}),
    ...(image ? { image } : {}),
    ...(f.appearanceMode ? { mode: f.appearanceMode as SignatureAppearanceOptions['mode'] } : {}),
    ...(fontSize !== undefined ? { fontSize } : {}),
    ...(f.bold !== undefined ? { bold: f.bold } : {}),
    ...(f.upperCase !== undefined ? { upperCase: f.upperCase } : {}),
    ...(f.border !== undefined ? { border: f.border } : {}),
    ...(f.labels ? { language: f.labels as 'vi' | 'en' } : {}),
    ...(documentNumber ? { documentNumber } : {}),
    ...(documentDate ? { documentDate } : {}),
  };
  // The same limits as a page's request (font sizes, text lengths, stamp places), with the flag's field named.
  const checked = (await appearanceSchema()).safeParse(merged);
  if (!checked.success) throw new KysoError('BAD_REQUEST', `appearance: ${describeIssues(checked.error)}`);
  return checked.data;
}

const CERTIFICATE_LINES = [['email', 'email', 'email'], ['organizationalUnit', 'đơn vị', 'unit'], ['title', 'chức vụ', 'title'], ['organization', 'cơ quan', 'organization']] as const;

/**
 * Lines asked for that the certificate cannot fill (a token whose certificate has no email or title): said
 * before the PIN, Vietnamese then English, so nobody signs expecting a line that will not be there.
 */
export function missingCertificateLines(appearance: SignatureAppearanceOptions, signer: AppearanceSigner): { vi: string; en: string }[] {
  return CERTIFICATE_LINES.filter(([key]) => appearance.show?.[key] === true && !signer[key]?.trim())
    .map(([, vi, en]) => ({ vi: `Chứng thư số không có ${vi}: dòng này không được hiển thị.`, en: `The certificate has no ${en}: that line is left out.` }));
}
