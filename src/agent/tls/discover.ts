/** Which trust stores this user's browsers read, per platform. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FirefoxSystemRootsPref, findFirefoxProfiles, firefoxProfileRoots } from './firefox.js';
import { MacLoginKeychainStore } from './macos.js';
import { NssStore } from './nss.js';
import { runCommand, type CommandRunner, type TrustStore } from './trust-store.js';
import { WindowsUserRootStore } from './windows.js';

export interface DiscoverOptions {
  platform?: NodeJS.Platform;
  home?: string;
  env?: NodeJS.ProcessEnv;
  run?: CommandRunner;
}

export function discoverTrustStores(options: DiscoverOptions = {}): TrustStore[] {
  const platform = options.platform ?? process.platform;
  const home = options.home ?? os.homedir();
  const env = options.env ?? process.env;
  const run = options.run ?? runCommand;
  const profiles = findFirefoxProfiles(firefoxProfileRoots(platform, home, env));
  if (platform === 'win32') return [new WindowsUserRootStore(run), ...profiles.map((p) => new FirefoxSystemRootsPref(p))];
  if (platform === 'darwin') return [new MacLoginKeychainStore(run, home), ...profiles.map((p) => new FirefoxSystemRootsPref(p))];
  // Linux and the other Unixes: Chromium's user database (created if absent), and each Firefox profile's.
  return [
    new NssStore(path.join(home, '.pki', 'nssdb'), 'Chromium / Chrome (~/.pki/nssdb)', { run, create: true }),
    ...profiles.filter((p) => existsSync(path.join(p, 'cert9.db'))).map((p) => new NssStore(p, `Firefox profile ${path.basename(p)}`, { run })),
  ];
}
