/** Running `kyso` as a user does (real process over the SoftHSM fixture token), for the tests in tests/cli. */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PDF } from '@libpdf/core';
import { fixtures, softhsmEnv } from '../helpers/fixtures.js';
import { until } from '../agent/harness.js';

export const KYSO = fileURLToPath(new URL('../../bin/kyso.js', import.meta.url));

export interface Run { status: number | null; stdout: string; stderr: string }

export function kyso(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Run {
  // A bound, so that a regression that waits (a server, a prompt) fails instead of hanging the run.
  const r = spawnSync(process.execPath, [KYSO, ...args], { input, encoding: 'utf8', env: { ...softhsmEnv(), ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const mod = (): string[] => ['--module', fixtures().softhsm.module];

/** A one-page PDF at `file` with `text` on it (ASCII: the standard font). */
export async function writePdf(file: string, text = 'CLI test'): Promise<string> {
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText(text, { x: 50, y: 800, size: 12 });
  writeFileSync(file, await pdf.save());
  return file;
}

/** A PIN the token would refuse: given on stdin where no PIN must be asked, it proves none was (else PIN_INCORRECT). */
export const WRONG_PIN = '000000\n';

/**
 * `kyso ARGS` on a pseudo-terminal (util-linux `script`), so that it sees a person at a terminal. `type(text)`
 * sends keystrokes; `output()` is everything the terminal showed, echo included.
 */
export function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): {
  output: () => string;
  type: (text: string) => void;
  waitFor: (text: string, what?: string) => Promise<void>;
  exited: Promise<number | null>;
  kill: () => void;
} {
  // `exec`: script(1) runs the command through $SHELL; dash (CI's /bin/sh) would stay as the foreground parent and
  // die of the terminal's Ctrl-C itself, so the exit status would be the shell's, not kyso's.
  const command = `exec ${[process.execPath, KYSO, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...softhsmEnv(), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => out,
    type: (text) => { child.stdin.write(text); },
    waitFor: (text, what = text) => until(() => out.includes(text) || child.exitCode !== null, 30_000, what).then(() => {
      if (!out.includes(text)) throw new Error(`kyso exited before showing ${what}:\n${out}`);
    }),
    exited,
    kill: () => { if (child.exitCode === null) child.kill('SIGTERM'); },
  };
}
