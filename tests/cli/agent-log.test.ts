/**
 * The agent's log file (src/agent/logger.ts), in a process of its own under umask 000: private whatever the
 * umask (0600 in a 0700 folder, also for a file an older version left wider), and bounded by rotation.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('../../dist/agent/logger.js', import.meta.url));

/** Writes `lines` log lines through createAgentLogger in a fresh node process with umask 000. */
function writeLog(file: string, lines: number, rotation: { maxBytes?: number; keep?: number } = {}): void {
  const script = `
    process.umask(0);
    const { createAgentLogger } = await import(${JSON.stringify(LOGGER)});
    const log = createAgentLogger({ file: ${JSON.stringify(file)}, ...${JSON.stringify(rotation)} });
    for (let i = 0; i < ${lines}; i++) log.info({ origin: 'https://dichvucong.example.gov.vn', fileName: 'don-' + i + '.pdf', pin: '123456' }, 'request');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('agent log file', () => {
  it('is created 0600 inside a 0700 folder under umask 000, and never holds a PIN', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'kyso-log-')), 'kyso', 'logs', 'agent.log');
    writeLog(file, 3);
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(path.dirname(path.dirname(file)))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('don-2.pdf');
    expect(text).not.toContain('123456');
  });

  it('an existing wider file is narrowed to 0600', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-log-'));
    const file = path.join(dir, 'agent.log');
    writeFileSync(file, '');
    chmodSync(file, 0o666);
    writeLog(file, 1);
    expect(mode(file)).toBe(0o600);
  });

  it('rotates at the size cap and keeps two old files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-log-'));
    mkdirSync(path.join(dir, 'logs'));
    const file = path.join(dir, 'logs', 'agent.log');
    writeLog(file, 200, { maxBytes: 4096, keep: 2 });
    for (const f of [file, `${file}.1`, `${file}.2`]) {
      expect(existsSync(f), f).toBe(true);
      expect(statSync(f).size).toBeLessThanOrEqual(4096);
      expect(mode(f)).toBe(0o600);
    }
    expect(existsSync(`${file}.3`)).toBe(false);
    expect(readFileSync(file, 'utf8')).toContain('don-199.pdf'); // the newest lines are in the current file
  });
});
