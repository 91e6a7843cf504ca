/** The `kyso` process as an official runs it, and a scratch folder for the files a test writes. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const KYSO = fileURLToPath(new URL('../../bin/kyso.js', import.meta.url));

export interface Run { status: number | null; stdout: string; stderr: string }

/** Asynchronous, so loopback OCSP/TSA servers in the test process can answer it. */
export function kyso(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [KYSO, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A fresh folder; the returned function writes a file in it and gives its path. */
export function scratch(prefix: string): (name: string, bytes: Uint8Array) => string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return (name, bytes) => { const f = path.join(dir, name); writeFileSync(f, bytes); return f; };
}
