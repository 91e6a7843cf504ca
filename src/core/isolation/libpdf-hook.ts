/**
 * A module loader hook, registered by the document worker before anything loads @libpdf/core, that mends the
 * library's tokenizer where it never advances: `TokenReader.readToken` has no branch for the delimiters `{`, `}`
 * and `)`, falls through to `readKeyword`, which consumes nothing, and the lenient dictionary and array parsers then
 * loop on the same offset forever (docs/upstream/libpdf-stray-brace.md). The mend consumes the byte as a one-character
 * keyword, which the parsers already treat as an unexpected keyword (null in lenient mode, an error otherwise).
 *
 * The edit is made to the source text as it loads, nothing in node_modules changes; if a new version of the library
 * no longer has the anchor, nothing is patched and `libpdfTokenizerMended()` says so (the pre-scan and the worker's
 * deadline still stand).
 */

const LIBPDF_ENTRY = /\/@libpdf\/core\/dist\/index\.mjs$/;
const ANCHOR = '\t\tif (this.isNumberStart(byte)) return this.readNumber(position);\n\t\treturn this.readKeyword(position);';
const MENDED = '\t\tif (this.isNumberStart(byte)) return this.readNumber(position);\n'
  + '\t\tif (byte === 123 || byte === 125 || byte === 41) { this.scanner.advance(); return { type: "keyword", value: String.fromCharCode(byte), position }; }\n'
  + '\t\treturn this.readKeyword(position);';
/** Marker the mended source carries, so the worker can tell whether the patch applied. */
export const MENDED_MARKER = '\n;globalThis.__kysoLibpdfMended = true;\n';

interface LoadResult { format?: string; source?: string | ArrayBuffer | Uint8Array; shortCircuit?: boolean }
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

/**
 * The library's entry source with the tokenizer mended and the marker appended, or undefined when the anchor is
 * not there exactly once (a new version: nothing is patched). Used by the loader hook below and by the CLI bundle
 * (scripts/bundle-cli.mjs), so both ship the same mend.
 */
export function mendLibpdfSource(source: string): string | undefined {
  const at = source.indexOf(ANCHOR);
  if (at < 0 || source.indexOf(ANCHOR, at + 1) >= 0) return undefined;
  return source.slice(0, at) + MENDED + source.slice(at + ANCHOR.length) + MENDED_MARKER;
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (!LIBPDF_ENTRY.test(url) || result.source === undefined) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  const mended = mendLibpdfSource(source);
  return mended === undefined ? result : { ...result, source: mended };
}
