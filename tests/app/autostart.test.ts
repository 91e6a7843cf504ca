/** Autostart per OS: the Run-key/login item through Electron on Windows and macOS, an XDG file on Linux. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTOSTART_NAME, isAutostartEnabled, linuxDesktopEntry, setAutostart, startedHidden } from '../../src/app/autostart.js';
import { FakeShell } from './fake-shell.js';

let home: string;
beforeEach(() => { home = mkdtempSync(path.join(tmpdir(), 'kyso-home-')); });
afterEach(() => { rmSync(home, { recursive: true, force: true }); });

describe('autostart', () => {
  it.each(['win32', 'darwin'] as const)('%s: a login item named Kyso that starts hidden in the tray', (platform) => {
    const shell = new FakeShell({ userData: home, logs: home, executable: 'C:\\Users\\a\\AppData\\Local\\Programs\\Kyso\\Kyso.exe', home }, platform);
    setAutostart(shell, true);
    expect(shell.loginItems).toEqual([{ openAtLogin: true, args: ['--hidden'], name: AUTOSTART_NAME }]);
    expect(isAutostartEnabled(shell)).toBe(true);
    setAutostart(shell, false);
    expect(isAutostartEnabled(shell)).toBe(false);
  });

  it('the Windows value name is the one the NSIS installer writes and its uninstaller removes', () => {
    const nsh = readFileSync(new URL('../../installers/installer.nsh', import.meta.url), 'utf8');
    expect(nsh).toContain(`!define KYSO_RUN_VALUE "${AUTOSTART_NAME}"`);
    expect(nsh).toMatch(/WriteRegStr HKCU "\$\{KYSO_RUN_KEY\}" "\$\{KYSO_RUN_VALUE\}" '"\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\}" --hidden'/);
    expect(nsh).toMatch(/DeleteRegValue HKCU "\$\{KYSO_RUN_KEY\}" "\$\{KYSO_RUN_VALUE\}"/);
  });

  it('linux: an XDG autostart entry that runs the AppImage hidden, removed when turned off', () => {
    const shell = new FakeShell({ userData: home, logs: home, executable: '/tmp/.mount_Kyso/kyso', home }, 'linux', { APPIMAGE: '/home/an/Tải về/Kyso-0.1.0.AppImage' });
    setAutostart(shell, true);
    const file = path.join(home, '.config/autostart/kyso.desktop');
    const entry = readFileSync(file, 'utf8');
    expect(entry).toContain('Exec="/home/an/Tải về/Kyso-0.1.0.AppImage" --hidden');
    expect(entry).toBe(linuxDesktopEntry(shell));
    expect(isAutostartEnabled(shell)).toBe(true);
    setAutostart(shell, false);
    expect(existsSync(file)).toBe(false);
    expect(shell.loginItems).toEqual([]);
  });

  it('honours XDG_CONFIG_HOME and quotes the executable', () => {
    const shell = new FakeShell({ userData: home, logs: home, executable: '/opt/Kyso/kyso"x', home }, 'linux', { XDG_CONFIG_HOME: path.join(home, 'cfg') });
    setAutostart(shell, true);
    expect(readFileSync(path.join(home, 'cfg/autostart/kyso.desktop'), 'utf8')).toContain('Exec="/opt/Kyso/kyso\\"x" --hidden');
  });

  it('started by the login item: hidden', () => {
    expect(startedHidden(['Kyso.exe', '--hidden'])).toBe(true);
    expect(startedHidden(['Kyso.exe'])).toBe(false);
    expect(startedHidden(['Kyso'], true)).toBe(true);
  });
});
