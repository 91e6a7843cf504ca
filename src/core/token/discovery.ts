/**
 * Turns the vendor catalogue into the PKCS#11 modules that actually exist on this machine.
 * I/O is limited to existence checks through an injectable `exists`, so the logic is testable per platform.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_FOLDERS,
  LIBRARY_EXTENSIONS,
  LIBRARY_PREFIXES,
  VENDOR_MODULES,
  type Platform,
} from './catalog.js';

export interface ModuleCandidate {
  /** Absolute path of the library file. */
  readonly path: string;
  /** Vendor key from the catalogue, or `user` for configured paths. */
  readonly vendor: string;
  readonly displayName: string;
}

export interface DiscoveryOptions {
  platform?: Platform;
  /** Paths the user configured (settings or `--module`), tried first. */
  userPaths?: readonly string[];
  env?: NodeJS.ProcessEnv;
  exists?: (file: string) => boolean;
  /** Canonicalises a path so one library reached by two names is loaded once. */
  realpath?: (file: string) => string;
}

function expand(folder: string, env: NodeJS.ProcessEnv): string {
  return folder.replace(/%([A-Z_]+)%/gi, (_m, name: string) => env[name] ?? env[name.toUpperCase()] ?? 'C:\\Windows');
}

function currentPlatform(): Platform {
  const p = process.platform;
  return p === 'win32' || p === 'darwin' ? p : 'linux';
}

/** Every candidate file name for one catalogue base name on one platform. */
function fileNames(base: string, platform: Platform): string[] {
  const names: string[] = [];
  for (const prefix of LIBRARY_PREFIXES[platform]) {
    if (prefix && base.startsWith(prefix)) continue;
    for (const ext of LIBRARY_EXTENSIONS[platform]) names.push(`${prefix}${base}${ext}`);
  }
  return names;
}

export function discoverModules(options: DiscoveryOptions = {}): ModuleCandidate[] {
  const platform = options.platform ?? currentPlatform();
  const env = options.env ?? process.env;
  const exists = options.exists ?? ((f: string) => existsSync(f));
  const realpath = options.realpath ?? ((f: string) => {
    try { return realpathSync(f); } catch { return f; }
  });
  const join = platform === 'win32' ? path.win32.join : path.posix.join;

  const found: ModuleCandidate[] = [];
  const seen = new Set<string>();
  const add = (file: string, vendor: string, displayName: string): void => {
    if (!exists(file)) return;
    const key = realpath(file);
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ path: file, vendor, displayName });
  };

  for (const p of options.userPaths ?? []) add(p, 'user', path.basename(p));
  for (const vendor of VENDOR_MODULES) {
    const folders = [...(vendor.folders?.[platform] ?? []), ...DEFAULT_FOLDERS[platform]].map((f) => expand(f, env));
    for (const folder of folders) {
      for (const base of vendor.names) {
        for (const name of fileNames(base, platform)) add(join(folder, name), vendor.vendor, vendor.displayName);
      }
    }
  }
  return found;
}
