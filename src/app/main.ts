/**
 * Kyso's tray app, Electron main process: one instance per user session, starts hidden at login, serves the
 * dialog pages on kyso://ui/, runs the agent in-process with windows as its Prompter. Everything it decides
 * is in the plain modules beside it (tray-app.ts and friends); this file only wires Electron to them.
 *
 * Run on a desktop: `npm run build && npm start` (electron dist/app/main.js).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, powerMonitor, protocol, session } from 'electron';
import { KYSO_VERSION } from '../core/version.js';
import { defaultConfigDir } from '../core/config-dir.js';
import { InProcessAgent } from './agent-adapter.js';
import { startedHidden } from './autostart.js';
import { DialogHost } from './dialog-host.js';
import { ElectronShell } from './electron-shell.js';
import { SettingsStore } from './settings.js';
import { TrayApp } from './tray-app.js';
import { runTlsSetup, tlsSetupCommand } from './tls-setup.js';
import { localCertificate } from './local-certificate.js';
import { remoteAccountsFor } from './remote-accounts.js';
import { resolveUiRequest } from './ui-protocol.js';
import { UI_SCHEME } from './window-options.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/app (inside app.asar when packaged)
const root = path.resolve(here, '../..');
const UI_ROOT = path.join(root, 'dist/ui');
const PRELOAD = path.join(here, 'preload.cjs');
const TRAY_ICONS = path.join(root, 'assets/tray');
const WINDOW_ICON = path.join(root, 'assets/tray/app.png');

app.setName('Kyso');
// One folder for the tray and the CLI (`kyso remote add`, `kyso serve`, `kyso sites`): the same as Electron's own
// on Windows and macOS; on Linux Electron would say ~/.config/Kyso where the CLI keeps ~/.config/kyso.
app.setPath('userData', defaultConfigDir());
if (process.platform === 'win32') app.setAppUserModelId('vn.kyso.agent');

// Our pages get an origin of their own (ES modules and pdf.js's worker do not load from file://).
protocol.registerSchemesAsPrivileged([{ scheme: UI_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

const tlsCommand = tlsSetupCommand(process.argv);
if (tlsCommand) {
  // The installer's step (installers/installer.nsh): no tray, no lock, so it works while Kyso is running.
  void runTlsSetup(tlsCommand, app.getPath('userData'), (m) => console.warn(`kyso: ${m}`)).then((code) => app.exit(code));
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let tray: TrayApp | undefined;

  // Keep running in the tray when the last window closes.
  app.on('window-all-closed', () => {});
  app.on('second-instance', () => { void tray?.openSettings(); });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  void app.whenReady().then(async () => {
    if (process.platform === 'darwin') app.dock?.hide();
    const ses = session.defaultSession;
    // No remote content, no permissions: the pages need none.
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*'] }, (_details, callback) => callback({ cancel: true }));
    protocol.handle(UI_SCHEME, async (request) => {
      const file = resolveUiRequest(request.url, UI_ROOT);
      if (!file) return new Response('Not found', { status: 404 });
      try {
        return new Response(await readFile(file.file), { headers: file.headers });
      } catch {
        return new Response('Not found', { status: 404 });
      }
    });

    const shell = new ElectronShell({ version: KYSO_VERSION, trayIcons: TRAY_ICONS, log: (m) => console.warn(`kyso: ${m}`) });
    const settings = new SettingsStore(path.join(shell.paths.userData, 'settings.json'), shell.secrets);
    tray = new TrayApp({
      shell,
      agent: new InProcessAgent(),
      settings,
      dialogs: new DialogHost(shell, { preload: PRELOAD, icon: WINDOW_ICON }),
      localCertificate: localCertificate(shell.paths.userData),
      // The same accounts the agent reads (startAgent: dataDir = userData); no secret is kept with them.
      ...remoteAccountsFor(shell.paths.userData),
      versions: { electron: process.versions.electron, node: process.versions.node, chrome: process.versions.chrome },
    });
    const t = tray;
    for (const event of ['lock-screen', 'suspend', 'user-did-resign-active'] as const) {
      (powerMonitor as unknown as { on(e: string, l: () => void): void }).on(event, () => t.onSessionLocked());
    }
    app.on('before-quit', () => { t.pinCache.forgetAll(); });
    await t.start();
    // Opened by the user (start menu, Launchpad) rather than at login: show the settings as a welcome.
    const login = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
    if (!startedHidden(process.argv, login)) void t.openSettings();
  });
}
