/**
 * electron-builder.yml, validated the way electron-builder itself does (app-builder-lib's validateConfiguration
 * over its scheme.json), and complete: every file it names exists, the targets are the ones the issue asks
 * for (NSIS per-user x64+arm64 with autostart and clean uninstall, DMG x64+arm64 hardened with entitlements
 * and the notarize hook, AppImage + deb), the icons are big enough, the entry points are built by our
 * tsconfigs, and the notarize hook runs only with credentials.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { TLS_INSTALL_ARG, TLS_UNINSTALL_ARG } from '../../src/app/tls-setup.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
// electron-builder lives in desktop/ (installed only to build installers: scripts/setup.sh --tests installs it).
const desktop = createRequire(path.join(ROOT, 'desktop/package.json'));
const yaml = desktop('js-yaml') as { load(s: string): unknown };
const { validateConfiguration } = desktop('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(k: string, v: unknown): void }): Promise<void>;
};

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const config = yaml.load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Config;
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Config;
const logger = { isEnabled: false, add: () => {} };

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", async () => {
    await expect(validateConfiguration(config, logger)).resolves.toBeUndefined();
    // The validator does reject a wrong option (so the check above means something).
    await expect(validateConfiguration({ ...config, nsis: { ...config.nsis, oneClik: true } }, logger)).rejects.toThrow(/configuration\.nsis/);
  });

  it('names only files that exist', () => {
    const files = [
      config.afterSign, config.nsis.include, config.mac.entitlements, config.mac.entitlementsInherit,
      config.win.icon, config.mac.icon, config.linux.icon,
    ];
    for (const f of files) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
    expect(existsSync(path.join(ROOT, config.directories.buildResources))).toBe(true);
    for (const n of [16, 32, 48, 64, 128, 256, 512]) expect(existsSync(path.join(ROOT, config.linux.icon, `${n}x${n}.png`))).toBe(true);
  });

  it('ships the built app: main entry, preload, pages, tray icons and fonts are inside the packaged files', () => {
    expect(pkg.main).toBe('dist/app/main.js');
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'assets/**', 'package.json']));
    // dist/app/main.js and dist/app/preload.cjs come from src/app (its own tsconfig, part of `npm run build`).
    expect(existsSync(path.join(ROOT, 'src/app/main.ts'))).toBe(true);
    expect(existsSync(path.join(ROOT, 'src/app/preload.cts'))).toBe(true);
    expect(pkg.scripts.build).toContain('tsc -p src/app/tsconfig.json');
    expect(pkg.scripts.build).toContain('npm run build:ui');
    expect(pkg.scripts.start).toBe('node node_modules/electron/install.js && electron dist/app/main.js');
    expect(pkg.scripts.dist).toContain('desktop/node_modules/.bin/electron-builder');
    const main = readFileSync(path.join(ROOT, 'src/app/main.ts'), 'utf8');
    expect(main).toContain("path.join(here, 'preload.cjs')");
    expect(main).toContain("path.join(root, 'dist/ui')");
    for (const state of ['idle', 'token', 'waiting', 'error']) {
      expect(existsSync(path.join(ROOT, `assets/tray/${state}.png`)), state).toBe(true);
      expect(existsSync(path.join(ROOT, `assets/tray/${state}@2x.png`)), state).toBe(true);
    }
    expect(existsSync(path.join(ROOT, 'assets/tray/app.png'))).toBe(true);
    expect(existsSync(path.join(ROOT, 'assets/fonts/DejaVuSans.ttf'))).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/pkcs11js/**');
  });

  it('Windows: one-click per-user NSIS for x64 and arm64, start menu entry, autostart and clean uninstall', () => {
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64', 'arm64'] }]);
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false, allowElevation: false, createStartMenuShortcut: true, deleteAppDataOnUninstall: true });
    expect(config.win.requestedExecutionLevel).toBe('asInvoker');
    const nsh = readFileSync(path.join(ROOT, config.nsis.include), 'utf8');
    expect(nsh).toMatch(/!macro customInstall[\s\S]*WriteRegStr HKCU[\s\S]*!macroend/);
    expect(nsh).toMatch(/!macro customUnInstall[\s\S]*DeleteRegValue HKCU "\$\{KYSO_RUN_KEY\}"[\s\S]*DeleteRegValue HKCU "\$\{KYSO_APPROVED_KEY\}"[\s\S]*!macroend/);
    expect(nsh).not.toMatch(/HKLM/); // nothing machine-wide
    // The local CA goes in at install and out at uninstall, but not when an update replaces the old version.
    const macro = (name: string): string => nsh.slice(nsh.indexOf(`!macro ${name}`), nsh.indexOf('!macroend', nsh.indexOf(`!macro ${name}`)));
    const run = (arg: string): string => `ExecWait '"$INSTDIR\\$\{APP_EXECUTABLE_FILENAME}" ${arg}'`;
    expect(macro('customInstall')).toContain(run(TLS_INSTALL_ARG));
    const uninstall = macro('customUnInstall');
    const guarded = uninstall.slice(uninstall.indexOf('${ifNot} ${isUpdated}'), uninstall.indexOf('${endIf}'));
    expect(guarded).toContain(run(TLS_UNINSTALL_ARG));
  });

  it('macOS: DMG for x64 and arm64, hardened runtime with our entitlements, a tray app, notarized by the hook', () => {
    expect(config.mac.target).toContainEqual({ target: 'dmg', arch: ['x64', 'arm64'] });
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: false, extendInfo: { LSUIElement: true } });
    const plist = readFileSync(path.join(ROOT, config.mac.entitlements), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>com\.apple\.security\.cs\.disable-library-validation<\/key>\s*<true\/>/); // vendor PKCS#11 dylibs
    expect(plist).not.toMatch(/allow-unsigned-executable-memory|get-task-allow|device\.camera|device\.audio-input/);
  });

  it('Linux: AppImage and deb; Vietnamese description; publisher', () => {
    expect(config.linux.target.map((t: Config) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.linux.description).toMatch(/ký số/i);
    expect(config.productName).toBe('Kyso');
    expect(pkg.author).toBe('Kyso');
    expect(pkg.description).toMatch(/ký số/);
  });

  it('the binary only runs Kyso (Electron fuses)', () => {
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true });
  });

  it('icons are large enough for .ico (256) and .icns (512) and square', async () => {
    const icon = await loadImage(readFileSync(path.join(ROOT, config.mac.icon)));
    expect(icon.width).toBeGreaterThanOrEqual(512);
    expect(icon.width).toBe(icon.height);
    for (const n of [16, 512]) {
      const img = await loadImage(readFileSync(path.join(ROOT, config.linux.icon, `${n}x${n}.png`)));
      expect([img.width, img.height]).toEqual([n, n]);
    }
  });
});

describe('notarize hook', () => {
  const hook = require(path.join(ROOT, 'installers/notarize.cjs')) as ((context: Config, env?: Record<string, string>, notarize?: (o: Config) => Promise<void>) => Promise<string>);
  const context = { electronPlatformName: 'darwin', appOutDir: '/build/mac-arm64', packager: { appInfo: { productFilename: 'Kyso' } } };

  it('does nothing without credentials, or off macOS', async () => {
    const calls: Config[] = [];
    expect(await hook(context, {}, async (o) => { calls.push(o); })).toBe('skipped: no credentials');
    expect(await hook(context, { APPLE_ID: 'a@b.c' }, async (o) => { calls.push(o); })).toBe('skipped: no credentials');
    expect(await hook({ ...context, electronPlatformName: 'win32' }, { APPLE_ID: 'a', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 't' }, async (o) => { calls.push(o); })).toBe('skipped: not macOS');
    expect(calls).toEqual([]);
  });

  it('notarizes the .app with an Apple ID or an API key', async () => {
    const calls: Config[] = [];
    const notarize = async (o: Config): Promise<void> => { calls.push(o); };
    expect(await hook(context, { APPLE_ID: 'dev@kyso.vn', APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh', APPLE_TEAM_ID: 'TEAM123' }, notarize)).toBe('notarized');
    expect(await hook(context, { APPLE_API_KEY: '/k.p8', APPLE_API_KEY_ID: 'KEY', APPLE_API_ISSUER: 'ISS' }, notarize)).toBe('notarized');
    expect(calls).toEqual([
      { appPath: '/build/mac-arm64/Kyso.app', appleId: 'dev@kyso.vn', appleIdPassword: 'abcd-efgh', teamId: 'TEAM123' },
      { appPath: '/build/mac-arm64/Kyso.app', appleApiKey: '/k.p8', appleApiKeyId: 'KEY', appleApiIssuer: 'ISS' },
    ]);
    // The real notarize function is there to be loaded.
    expect(typeof (desktop('@electron/notarize') as { notarize: unknown }).notarize).toBe('function');
  });
});
