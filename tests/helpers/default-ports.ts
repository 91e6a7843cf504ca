/**
 * The product's fixed ports (the agent's 21368–21370, the VNPT-CA Plugin's 4433–4435) are what real pages
 * reach, so a few tests must use them. Test files run in parallel: a file that binds or probes those ports
 * holds this lock (across worker processes) for its whole run, so "no agent answers" and "found on the
 * default port" mean this file's agent, not another file's.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { CACHE_DIR } from './fixtures.js';

const LOCK = path.join(CACHE_DIR, 'locks', 'default-ports');

/** Waits (polling the lock's state, no deadline of its own: vitest's hook timeout bounds it) and takes the lock. */
export async function holdDefaultPorts(): Promise<() => void> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (ownerGone()) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    rmSync(LOCK, { recursive: true, force: true });
  };
}

function ownerGone(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
  } catch {
    return false; // being written or removed right now: look again
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** For a test file: hold the default ports from before its first hook to after its last. */
export function useDefaultPorts(): void {
  let release: (() => void) | undefined;
  beforeAll(async () => { release = await holdDefaultPorts(); });
  afterAll(() => release?.());
}
