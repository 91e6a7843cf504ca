/**
 * Starting with the user's session, without admin rights: a login item on macOS, the per-user Run key on
 * Windows (same value name the NSIS installer writes and its uninstaller removes: installers/installer.nsh),
 * an XDG autostart entry on Linux. Kyso started this way comes up hidden in the tray (`--hidden`).
 */
import * as nodeFs from 'node:fs';
import path from 'node:path';
import type { Shell } from './electron-api.js';

export const AUTOSTART_NAME = 'Kyso';
export const HIDDEN_ARG = '--hidden';

export type AutostartFs = Pick<typeof nodeFs, 'writeFileSync' | 'rmSync' | 'mkdirSync' | 'existsSync' | 'readFileSync'>;

/** ~/.config/autostart/kyso.desktop (or $XDG_CONFIG_HOME/autostart). */
export function linuxAutostartFile(shell: Pick<Shell, 'env' | 'paths'>): string {
  const config = shell.env.XDG_CONFIG_HOME || path.posix.join(shell.paths.home, '.config');
  return path.posix.join(config, 'autostart', 'kyso.desktop');
}

/** The command that starts this copy of Kyso: the AppImage itself when run from one, else the executable. */
export function linuxCommand(shell: Pick<Shell, 'env' | 'paths'>): string {
  const exe = shell.env.APPIMAGE || shell.paths.executable;
  return `"${exe.replace(/(["\\`$])/g, '\\$1')}" ${HIDDEN_ARG}`;
}

export function linuxDesktopEntry(shell: Pick<Shell, 'env' | 'paths'>): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Kyso',
    'Comment=Ký số tài liệu bằng USB token',
    `Exec=${linuxCommand(shell)}`,
    'Icon=kyso',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function setAutostart(shell: Shell, enabled: boolean, fs: AutostartFs = nodeFs): void {
  if (shell.platform === 'linux') {
    const file = linuxAutostartFile(shell);
    if (enabled) {
      fs.mkdirSync(path.posix.dirname(file), { recursive: true });
      fs.writeFileSync(file, linuxDesktopEntry(shell), { mode: 0o644 });
    } else {
      fs.rmSync(file, { force: true });
    }
    return;
  }
  shell.setLoginItem({ openAtLogin: enabled, args: [HIDDEN_ARG], name: AUTOSTART_NAME });
}

export function isAutostartEnabled(shell: Shell, fs: AutostartFs = nodeFs): boolean {
  if (shell.platform === 'linux') return fs.existsSync(linuxAutostartFile(shell));
  return shell.getLoginItem({ args: [HIDDEN_ARG], name: AUTOSTART_NAME }).openAtLogin;
}

/** Started at login (hidden) rather than by the user: no window, just the tray. */
export function startedHidden(argv: readonly string[], loginItemWasOpenedAtLogin = false): boolean {
  return argv.includes(HIDDEN_ARG) || loginItemWasOpenedAtLogin;
}
