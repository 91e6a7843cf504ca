/**
 * Serves the dialog pages to Kyso's windows as kyso://ui/<path> from dist/ui (inside the asar archive when
 * packaged). ES modules and pdf.js's worker do not load from file://, and a custom privileged scheme gives
 * the pages an origin of their own. Only files under dist/ui, only known types, always with the CSP header.
 */
import path from 'node:path';
import type { DialogKind } from '../ui/kit/protocol.js';
import { UI_HOST, UI_SCHEME, contentSecurityPolicy } from './window-options.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bcmap': 'application/octet-stream',
  '.pfb': 'application/octet-stream',
  '.icc': 'application/octet-stream',
};

export interface UiFile {
  file: string;
  headers: Record<string, string>;
}

const KINDS: ReadonlySet<string> = new Set<DialogKind>(['consent', 'certificate', 'pin', 'confirm', 'placement', 'settings', 'verify', 'approval']);

/** Maps a request URL to a file under `uiRoot` and its response headers, or null (→ 404). */
export function resolveUiRequest(url: string, uiRoot: string): UiFile | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${UI_SCHEME}:` || u.host !== UI_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  // Encoded dot segments survive URL parsing; a request that needs one is not one of ours.
  if (rel.includes('\0') || rel.includes('\\') || rel.split('/').includes('..')) return null;
  const root = path.resolve(uiRoot);
  const file = path.resolve(root, `.${path.posix.normalize(rel)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  const type = TYPES[path.extname(file).toLowerCase()];
  if (!type) return null;
  const first = rel.split('/').filter(Boolean)[0] ?? '';
  // Shared files (pdfjs/, fonts/) serve the placement dialog; pdf.js's worker runs under its own response's CSP.
  const kind: DialogKind = KINDS.has(first) ? (first as DialogKind) : 'placement';
  return {
    file,
    headers: {
      'content-type': type,
      'content-security-policy': contentSecurityPolicy(kind),
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-store',
    },
  };
}
