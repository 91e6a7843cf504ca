/**
 * Encrypts one serialised object body of our incremental update for an encrypted file: every string (written
 * back as hex) and the stream data, with /Length rewritten. The bodies come from our own serialisers, so this
 * reads plain PDF object syntax. Left in the clear, as ISO 32000 §7.6.2 requires: the /Contents of a signature
 * dictionary (/Type /Sig or /DocTimeStamp) and /Metadata streams when /EncryptMetadata is false.
 * Returns the new body and where an offset of the old body moved to (the signature placeholders' positions).
 */
import { KysoError } from '../../errors.js';
import type { ObjectCrypt } from './object-crypt.js';

interface Edit { start: number; end: number; replacement: Uint8Array }

export interface EncryptedBody {
  body: Uint8Array;
  /** Position in the new body of a byte that was at `offset` in the old one (outside any rewritten token). */
  position(offset: number): number;
}

const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([...'()<>[]{}/%'].map((c) => c.charCodeAt(0)));
/** Escapes of literal strings that stand for one byte (§7.3.4.2). */
const ESCAPES: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
const hex = (b: Uint8Array): Uint8Array => Buffer.from(`<${Buffer.from(b).toString('hex').toUpperCase()}>`, 'latin1');

/** Bytes of a literal string `( … )` starting at `i`; returns them and the index after `)`. */
function literalString(s: Uint8Array, i: number): { bytes: Uint8Array; end: number } {
  const out: number[] = [];
  let depth = 1;
  for (i++; i < s.length; i++) {
    const c = s[i]!;
    if (c === 0x5c) { // backslash
      const n = s[++i]!;
      if (n in ESCAPES) out.push(ESCAPES[n]!);
      else if (n >= 0x30 && n <= 0x37) {
        let v = n - 0x30;
        for (let k = 0; k < 2 && s[i + 1]! >= 0x30 && s[i + 1]! <= 0x37; k++) v = v * 8 + s[++i]! - 0x30;
        out.push(v & 0xff);
      } else if (n === 0x0d) { if (s[i + 1] === 0x0a) i++; } else if (n !== 0x0a) out.push(n);
    } else if (c === 0x28) { depth++; out.push(c); } else if (c === 0x29) {
      if (--depth === 0) return { bytes: Uint8Array.from(out), end: i + 1 };
      out.push(c);
    } else out.push(c);
  }
  throw new KysoError('INTERNAL', 'unterminated literal string in update object');
}

export function encryptObjectBody(body: Uint8Array, objectNumber: number, generation: number, crypt: ObjectCrypt): EncryptedBody {
  const edits: Edit[] = [];
  // Containers open around the current token; at depth 1 of a top-level dictionary we track keys and values.
  const stack: ('dict' | 'array')[] = [];
  let pendingKey: string | undefined;
  const topValues = new Map<string, { start: number; end: number; text: string }>();
  const strings: { start: number; end: number; bytes: Uint8Array; key?: string }[] = [];
  const atTop = (): boolean => stack.length === 1 && stack[0] === 'dict';
  const value = (start: number, end: number, text: string): void => {
    if (atTop() && pendingKey !== undefined) { topValues.set(pendingKey, { start, end, text }); pendingKey = undefined; }
  };
  let i = 0;
  let stream: { start: number } | undefined;
  while (i < body.length) {
    const c = body[i]!;
    if (WHITE.has(c)) { i++; continue; }
    if (c === 0x25) { while (i < body.length && body[i] !== 0x0a && body[i] !== 0x0d) i++; continue; }
    if (c === 0x3c && body[i + 1] === 0x3c) {
      if (atTop() && pendingKey !== undefined) { topValues.set(pendingKey, { start: i, end: i, text: '<<' }); pendingKey = undefined; }
      stack.push('dict'); i += 2; continue;
    }
    if (c === 0x3e && body[i + 1] === 0x3e) { stack.pop(); i += 2; continue; }
    if (c === 0x5b) {
      if (atTop() && pendingKey !== undefined) { topValues.set(pendingKey, { start: i, end: i, text: '[' }); pendingKey = undefined; }
      stack.push('array'); i++; continue;
    }
    if (c === 0x5d) { stack.pop(); i++; continue; }
    if (c === 0x3c || c === 0x28) {
      const start = i;
      let bytes: Uint8Array;
      if (c === 0x3c) {
        const close = body.indexOf(0x3e, i);
        if (close < 0) throw new KysoError('INTERNAL', 'unterminated hex string in update object');
        const digits = Buffer.from(body.subarray(i + 1, close)).toString('latin1').replace(/\s+/g, '');
        bytes = new Uint8Array(Buffer.from(digits.length % 2 ? `${digits}0` : digits, 'hex'));
        i = close + 1;
      } else ({ bytes, end: i } = literalString(body, i));
      const key = atTop() ? pendingKey : undefined;
      strings.push({ start, end: i, bytes, ...(key !== undefined ? { key } : {}) });
      value(start, i, '');
      continue;
    }
    if (c === 0x2f) {
      let j = i + 1;
      while (j < body.length && !WHITE.has(body[j]!) && !DELIM.has(body[j]!)) j++;
      const name = Buffer.from(body.subarray(i + 1, j)).toString('latin1');
      if (atTop() && pendingKey === undefined) pendingKey = name;
      else value(i, j, name);
      i = j;
      continue;
    }
    let j = i;
    while (j < body.length && !WHITE.has(body[j]!) && !DELIM.has(body[j]!)) j++;
    if (j === i) throw new KysoError('INTERNAL', `unexpected byte 0x${c.toString(16)} in update object`);
    const word = Buffer.from(body.subarray(i, j)).toString('latin1');
    if (word === 'stream') {
      let k = j;
      if (body[k] === 0x0d) k++;
      if (body[k] === 0x0a) k++;
      stream = { start: k };
      break;
    }
    // A reference `n g R` is one value: swallow the generation and the R.
    const ref = /^\s+\d+\s+R(?=[\s/<>[\]()%]|$)/.exec(Buffer.from(body.subarray(j, j + 24)).toString('latin1'));
    const end = ref ? j + ref[0].length : j;
    value(i, end, Buffer.from(body.subarray(i, end)).toString('latin1'));
    i = end;
  }

  const type = topValues.get('Type')?.text;
  const signature = type === 'Sig' || type === 'DocTimeStamp';
  for (const s of strings) {
    if (signature && s.key === 'Contents') continue;
    edits.push({ start: s.start, end: s.end, replacement: hex(crypt.encryptString(s.bytes, objectNumber, generation)) });
  }
  if (stream) {
    const length = topValues.get('Length');
    if (!length || !/^\d+$/.test(length.text)) throw new KysoError('INTERNAL', 'update stream without a direct /Length');
    const n = Number(length.text);
    const clear = type === 'Metadata' && !crypt.encryptMetadata;
    if (!clear) {
      const data = crypt.encryptStream(body.subarray(stream.start, stream.start + n), objectNumber, generation);
      edits.push({ start: length.start, end: length.end, replacement: Buffer.from(String(data.length), 'latin1') });
      edits.push({ start: stream.start, end: stream.start + n, replacement: data });
    }
  }
  edits.sort((a, b) => a.start - b.start);

  const parts: Uint8Array[] = [];
  let at = 0;
  for (const e of edits) { parts.push(body.subarray(at, e.start), e.replacement); at = e.end; }
  parts.push(body.subarray(at));
  return {
    body: new Uint8Array(Buffer.concat(parts)),
    position(offset: number): number {
      let shift = 0;
      for (const e of edits) if (e.end <= offset) shift += e.replacement.length - (e.end - e.start);
      return offset + shift;
    },
  };
}
