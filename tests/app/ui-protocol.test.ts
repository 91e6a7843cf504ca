/** kyso://ui/ serves dist/ui files only, with their type and the CSP header; anything else is a 404. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveUiRequest } from '../../src/app/ui-protocol.js';
import { contentSecurityPolicy } from '../../src/app/window-options.js';

const root = path.resolve('/app/dist/ui');

describe('kyso:// pages', () => {
  it('maps pages and their files under dist/ui with type, CSP and nosniff', () => {
    const r = resolveUiRequest('kyso://ui/pin/index.html', root)!;
    expect(r.file).toBe(path.join(root, 'pin/index.html'));
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(contentSecurityPolicy('pin'));
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(resolveUiRequest('kyso://ui/placement/main.js', root)!.headers['content-type']).toMatch(/javascript/);
    expect(resolveUiRequest('kyso://ui/fonts/DejaVuSans.ttf', root)!.headers['content-type']).toBe('font/ttf');
    // pdf.js's worker runs under its own response's CSP: it gets the placement dialog's (wasm allowed).
    expect(resolveUiRequest('kyso://ui/pdfjs/pdf.worker.min.mjs', root)!.headers['content-security-policy']).toBe(contentSecurityPolicy('placement'));
    expect(resolveUiRequest('kyso://ui/pin/index.html?x=1#y', root)!.file).toBe(path.join(root, 'pin/index.html'));
  });

  it('refuses other hosts and schemes, unknown file types and broken escapes', () => {
    for (const url of [
      'kyso://other/pin/index.html', 'https://ui/pin/index.html', 'file:///app/dist/ui/pin/index.html',
      'kyso://ui/pin/..%2f..%2f..%2fpackage.json', 'kyso://ui/pin%5c..%5c..%5csecret.js', 'kyso://ui/pin/index.html%00.png',
      'kyso://ui/settings.json.bad', 'kyso://ui/pin/', 'kyso://ui/%E0%A4%A', 'not a url',
    ]) expect(resolveUiRequest(url, root), url).toBeNull();
  });

  it('dot segments, plain or encoded, never leave dist/ui', () => {
    for (const url of ['kyso://ui/../../etc/passwd.js', 'kyso://ui/%2e%2e/%2e%2e/app/main.js', 'kyso://ui/pin/../../../package.json']) {
      const r = resolveUiRequest(url, root);
      if (r) expect(r.file.startsWith(`${root}${path.sep}`), `${url} -> ${r.file}`).toBe(true);
    }
  });
});
