/**
 * The preload's IPC channel name, read from electron-shell.ts's source: that module imports Electron at run
 * time, which Node tests cannot load.
 */
import { readFileSync } from 'node:fs';

const shellSource = readFileSync(new URL('../../src/app/electron-shell.ts', import.meta.url), 'utf8');
export const BRIDGE_CHANNEL_NAME = /export const BRIDGE_CHANNEL = '([^']+)'/.exec(shellSource)![1]!;

const preloadSource = readFileSync(new URL('../../src/app/preload.cts', import.meta.url), 'utf8');
if (!preloadSource.includes(`const KYSO_BRIDGE_CHANNEL = '${BRIDGE_CHANNEL_NAME}'`)) throw new Error('preload.cts and electron-shell.ts disagree on the IPC channel');
