/**
 * Firefox keeps its own roots. On Linux each profile is an NSS database (nss.ts). On Windows and macOS there is
 * no NSS tool to run, so the profile is told to also trust the system's roots, where Kyso's CA is
 * (`security.enterprise_roots.enabled` in user.js, one marked line that uninstall takes out again).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../core/atomic-write.js';
import type { CaCertificate, TrustStore } from './trust-store.js';

const MARK = '// Kyso: trust the Kyso Local CA installed in the system store';
const PREF = 'user_pref("security.enterprise_roots.enabled", true);';

/** Where Firefox keeps profiles, per platform. */
export function firefoxProfileRoots(platform: NodeJS.Platform, home: string, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'win32') return [path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Mozilla', 'Firefox', 'Profiles')];
  if (platform === 'darwin') return [path.join(home, 'Library', 'Application Support', 'Firefox', 'Profiles')];
  return [path.join(home, '.mozilla', 'firefox'), path.join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox')];
}

/** Profile directories: those holding a certificate database or preferences. */
export function findFirefoxProfiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of roots) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const e of entries.sort()) {
      const dir = path.join(root, e);
      try {
        if (statSync(dir).isDirectory() && (existsSync(path.join(dir, 'cert9.db')) || existsSync(path.join(dir, 'prefs.js')))) out.push(dir);
      } catch { /* vanished */ }
    }
  }
  return out;
}

export class FirefoxSystemRootsPref implements TrustStore {
  readonly id: string;
  readonly label: string;
  private readonly file: string;

  constructor(profile: string) {
    this.id = `firefox-prefs:${profile}`;
    this.label = `Firefox profile ${path.basename(profile)} (system roots)`;
    this.file = path.join(profile, 'user.js');
  }

  async install(_ca: CaCertificate): Promise<void> {
    const text = existsSync(this.file) ? readFileSync(this.file, 'utf8') : '';
    if (text.includes(MARK)) return;
    writeFileAtomicSync(this.file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${MARK}\n${PREF}\n`, { mode: 0o644 });
  }

  async remove(_ca: CaCertificate): Promise<void> {
    if (!existsSync(this.file)) return;
    const lines = readFileSync(this.file, 'utf8').split('\n');
    const at = lines.indexOf(MARK);
    if (at < 0) return;
    lines.splice(at, lines[at + 1] === PREF ? 2 : 1);
    writeFileAtomicSync(this.file, lines.join('\n'), { mode: 0o644 });
  }
}
