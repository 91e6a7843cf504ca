/** Where Kyso keeps its state on this machine: a pure function of the platform and the environment. */
import os from 'node:os';
import path from 'node:path';

/** The user's config directory for Kyso: %APPDATA%\Kyso, ~/Library/Application Support/Kyso, $XDG_CONFIG_HOME/kyso. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Kyso');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Kyso');
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'kyso');
}
