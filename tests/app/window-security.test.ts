/**
 * Renderer security of every Kyso window: the BrowserWindow options the window factory produces (isolated,
 * sandboxed, no Node, preload bridge only, no devtools, no webviews), the navigation guard (no navigation,
 * no redirects, no new windows, no webviews), the CSP the pages are served with, and the preload script's
 * bridge (only init/submit/cancel, plus chooseModule/addTrustAnchor for settings; one IPC channel).
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FakeShell } from './fake-shell.js';
import { DialogHost } from '../../src/app/dialog-host.js';
import { consentDialog } from '../../src/app/dialogs/consent.js';
import { BRIDGE_CHANNEL_NAME } from './bridge-channel.js';
import {
  contentSecurityPolicy, DIALOG_ARG_PREFIX, dialogUrl, dialogWindowOptions, guardContents, navigationAllowed, type GuardableContents,
} from '../../src/app/window-options.js';
import type { DialogKind } from '../../src/ui/kit/protocol.js';

const KINDS: DialogKind[] = ['consent', 'certificate', 'pin', 'confirm', 'placement', 'settings', 'verify'];

describe('window factory', () => {
  it.each(KINDS)('%s window: isolated, sandboxed, no Node, preload bridge only', (kind) => {
    const o = dialogWindowOptions({ kind, title: 'Kyso', preload: '/app/dist/app/preload.cjs', platform: 'win32', icon: '/app/icon.png' });
    expect(o.webPreferences).toEqual({
      preload: '/app/dist/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      enableWebSQL: false,
      safeDialogs: true,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
      additionalArguments: [`${DIALOG_ARG_PREFIX}${kind}`],
    });
    expect(o.show).toBe(false); // shown when ready, brought to the front
    // Prompts float above the browser that asked; settings and verify are ordinary windows.
    expect(o.alwaysOnTop).toBe(kind !== 'settings' && kind !== 'verify');
    expect(o.icon).toBe('/app/icon.png');
    expect(dialogWindowOptions({ kind, title: 'Kyso', preload: 'p', platform: 'darwin', icon: 'i' }).icon).toBeUndefined();
  });

  it('the dialog host opens every window with those options at its own kyso:// page', async () => {
    const shell = new FakeShell({ userData: '/u', logs: '/l', executable: '/e', home: '/h' });
    const host = new DialogHost(shell, { preload: '/p/preload.cjs' });
    void host.open(consentDialog, { origin: 'https://dichvucong.gov.vn', language: 'vi' }, { language: 'vi' }).catch(() => {});
    const w = await shell.nextWindow('consent');
    expect(w.spec.url).toBe('kyso://ui/consent/index.html');
    expect(w.spec.options).toEqual(dialogWindowOptions({ kind: 'consent', title: 'Kyso — Cho phép trang web', preload: '/p/preload.cjs', platform: 'win32' }));
    expect(w.presented).toBe(1);
    w.cancel();
  });
});

class FakeContents implements GuardableContents {
  readonly listeners = new Map<string, Array<(event: { preventDefault(): void; url?: string }, url?: unknown) => void>>();
  openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  on(event: string, listener: (event: { preventDefault(): void; url?: string }, url?: unknown) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: (d: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Emits like Electron; true when some listener called preventDefault(). */
  emit(event: string, url?: string): boolean {
    let prevented = false;
    const e = { preventDefault: () => { prevented = true; }, ...(url ? { url } : {}) };
    for (const l of this.listeners.get(event) ?? []) l(e, url);
    return prevented;
  }
}

describe('navigation guard', () => {
  const page = dialogUrl('pin');

  it('blocks every navigation and redirect away from the page, new windows and webviews', () => {
    const c = new FakeContents();
    const blocked: string[] = [];
    guardContents(c, page, (what, url) => blocked.push(`${what} ${url}`));
    for (const url of ['https://evil.example/', 'http://127.0.0.1:1234/', 'file:///etc/passwd', 'kyso://ui/settings/index.html', 'javascript:alert(1)', 'data:text/html,hi']) {
      expect(c.emit('will-navigate', url), url).toBe(true);
      expect(c.emit('will-frame-navigate', url), url).toBe(true);
      expect(c.emit('will-redirect', url), url).toBe(true);
    }
    expect(c.emit('will-attach-webview')).toBe(true);
    expect(c.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(c.openHandler!({ url: page })).toEqual({ action: 'deny' });
    expect(blocked).toContain('new window https://evil.example/');
    expect(blocked).toContain('webview ');
  });

  it('lets the page reload itself (same page, fragment or query aside)', () => {
    const c = new FakeContents();
    guardContents(c, page);
    expect(c.emit('will-navigate', page)).toBe(false);
    expect(c.emit('will-navigate', `${page}#x`)).toBe(false);
    expect(navigationAllowed('kyso://ui/pin/index.html?a=1', page)).toBe(true);
    expect(navigationAllowed('kyso://ui/pin/other.html', page)).toBe(false);
    expect(navigationAllowed('kyso://other/pin/index.html', page)).toBe(false);
    expect(navigationAllowed('not a url', page)).toBe(false);
  });
});

describe('content security policy', () => {
  it.each(KINDS.filter((k) => k !== 'placement'))('%s: own scripts and styles only, nothing inline, no eval, no network, no frames', (kind) => {
    const csp = contentSecurityPolicy(kind);
    const d = Object.fromEntries(csp.split('; ').map((x) => { const [k, ...v] = x.split(' '); return [k!, v.join(' ')]; }));
    expect(d).toEqual({
      'default-src': "'none'", 'script-src': "'self'", 'style-src': "'self'", 'img-src': "'self' data: blob:", 'font-src': "'self'",
      'connect-src': "'self'", 'base-uri': "'none'", 'form-action': "'none'", 'frame-src': "'none'", 'frame-ancestors': "'none'", 'object-src': "'none'",
    });
    // The page's own <meta> policy says the same.
    const html = readFileSync(new URL(`../../src/ui/${kind}/index.html`, import.meta.url), 'utf8');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${csp.replace(/; frame-ancestors 'none'/, '')}">`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(html).not.toMatch(/\sstyle=|<style/); // no inline style
    expect(html).not.toMatch(/\son[a-z]+=/); // no inline handlers
  });

  it('placement: pdf.js needs wasm and a worker, still no inline script and no remote source', () => {
    const csp = contentSecurityPolicy('placement');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'/);
  });
});

describe('preload bridge', () => {
  const source = readFileSync(new URL('../../src/app/preload.cts', import.meta.url), 'utf8');
  const js = transformSync(source, { loader: 'ts', format: 'cjs', platform: 'node' }).code;

  function runPreload(argv: string[]): { exposed: Map<string, Record<string, (...a: unknown[]) => Promise<unknown>>>; calls: unknown[][] } {
    const exposed = new Map<string, Record<string, (...a: unknown[]) => Promise<unknown>>>();
    const calls: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, (...a: unknown[]) => Promise<unknown>>) => exposed.set(key, api) },
      ipcRenderer: { invoke: async (...args: unknown[]) => { calls.push(args); return null; } },
    };
    // A sandboxed preload gets `require` for 'electron' only.
    const sandboxRequire = (m: string): unknown => {
      if (m !== 'electron') throw new Error(`module not found: ${m}`);
      return electron;
    };
    const module = { exports: {} };
    vm.runInNewContext(js, { require: sandboxRequire, process: { argv }, module, exports: module.exports, Object, Promise });
    return { exposed, calls };
  }

  it.each(KINDS.filter((k) => k !== 'settings' && k !== 'verify'))('%s: exposes init, submit and cancel on one channel, nothing else', async (kind) => {
    const { exposed, calls } = runPreload(['electron', `${DIALOG_ARG_PREFIX}${kind}`]);
    expect([...exposed.keys()]).toEqual(['kysoBridge']);
    const bridge = exposed.get('kysoBridge')!;
    expect(Object.keys(bridge).sort()).toEqual(['cancel', 'init', 'submit']);
    expect(Object.isFrozen(bridge)).toBe(true);
    await bridge.init!();
    await bridge.submit!({ allow: true });
    await bridge.cancel!();
    expect(calls).toEqual([[BRIDGE_CHANNEL_NAME, 'init', undefined], [BRIDGE_CHANNEL_NAME, 'submit', { allow: true }], [BRIDGE_CHANNEL_NAME, 'cancel', undefined]]);
  });

  it('settings: also chooseModule and addTrustAnchor (the OS file dialog) and installLocalCertificate, nothing that takes a path', async () => {
    const { exposed, calls } = runPreload(['electron', `${DIALOG_ARG_PREFIX}settings`]);
    const bridge = exposed.get('kysoBridge')!;
    expect(Object.keys(bridge).sort()).toEqual(['addTrustAnchor', 'cancel', 'chooseModule', 'init', 'installLocalCertificate', 'submit']);
    await bridge.chooseModule!('/tmp/evil.so');
    await bridge.installLocalCertificate!('/tmp/evil.pem');
    await bridge.addTrustAnchor!('/tmp/evil-root.pem');
    expect(calls).toEqual([[BRIDGE_CHANNEL_NAME, 'call', 'chooseModule'], [BRIDGE_CHANNEL_NAME, 'call', 'installLocalCertificate'], [BRIDGE_CHANNEL_NAME, 'call', 'addTrustAnchor']]);
  });

  it('verify: also openDocument (the OS file dialog), verifyDropped(name and bytes) and saveRevision(n); nothing takes a path', async () => {
    const { exposed, calls } = runPreload(['electron', `${DIALOG_ARG_PREFIX}verify`]);
    const bridge = exposed.get('kysoBridge')!;
    expect(Object.keys(bridge).sort()).toEqual(['cancel', 'init', 'openDocument', 'saveRevision', 'submit', 'verifyDropped']);
    const document = { name: 'a.pdf', bytes: new Uint8Array([37, 80]) };
    await bridge.openDocument!('/etc/passwd');
    await bridge.verifyDropped!(document);
    await bridge.saveRevision!(2);
    expect(calls).toEqual([[BRIDGE_CHANNEL_NAME, 'call', 'openDocument'], [BRIDGE_CHANNEL_NAME, 'call', 'verifyDropped', document], [BRIDGE_CHANNEL_NAME, 'call', 'saveRevision', 2]]);
  });

  it('no dialog argument: no bridge at all', () => {
    expect(runPreload(['electron']).exposed.size).toBe(0);
  });
});
