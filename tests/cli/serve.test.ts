/**
 * `kyso serve` and `kyso sign` at a terminal and in scripts: the PIN from stdin belongs to one named token,
 * is never echoed, and the log stays off the terminal where the questions are.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtures, softhsmEnv } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { RpcClient, b64, samplePdf, until } from '../agent/harness.js';
import { KYSO, kyso, mod, onTerminal, writePdf } from './cli.js';

const PORTAL = 'https://portal.example';
const stops: Array<() => void> = [];
afterEach(() => { for (const stop of stops.splice(0)) stop(); });

/** `kyso serve ARGS` under umask 000 (as a careless login shell might set), stdin a pipe; resolves once listening. */
async function serveScripted(args: string[], stdin: string): Promise<{ port: number; stderr: () => string; exited: Promise<unknown> }> {
  const child = spawn('sh', ['-c', 'umask 000 && exec "$@"', 'sh', process.execPath, KYSO, 'serve', ...mod(), '--port', '0', ...args], { env: softhsmEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  child.stdin.end(stdin);
  stops.push(() => { if (child.exitCode === null) child.kill('SIGTERM'); });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await until(() => out.includes('\n') || child.exitCode !== null, 20_000, 'listening line');
  const m = /^listening on ws:\/\/127\.0\.0\.1:(\d+)\n$/.exec(out);
  if (!m) throw new Error(`kyso serve did not start: ${out}\n${err}`);
  return { port: Number(m[1]), stderr: () => err, exited };
}

describe('--pin-stdin names its token', () => {
  it('kyso serve --pin-stdin alone is a usage error (exit 64)', () => {
    const r = kyso(['serve', ...mod(), '--port', '0', '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('kyso: USAGE:');
  });

  it('the PIN given for one token is never offered to another; the log file is 0600 in a 0700 folder under umask 000, with origins and file names, no PIN', async () => {
    const config = mkdtempSync(path.join(os.tmpdir(), 'kyso-serve-pin-'));
    const log = path.join(config, 'logs', 'agent.log');
    // The right PIN of the fixture token, bound to the other (empty) token: signing on the fixture token must not get it.
    const s = await serveScripted(['--settings', path.join(config, 'settings.json'), '--trust-origin', PORTAL, '--pin-stdin',
      '--token', fixtures().softhsm.emptyTokenLabel, '--log-file', log], `${fixtures().softhsm.pin}\n`);
    const c = await RpcClient.connect(`ws://127.0.0.1:${s.port}/`, { origin: PORTAL });
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'don-de-nghi.pdf', certificateId: certificateId('rsa') });
    expect(r.error?.data.code).toBe('PIN_REQUIRED');
    await c.close();
    expect(statSync(path.dirname(log)).mode & 0o777).toBe(0o700);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    const text = readFileSync(log, 'utf8');
    expect(text).toContain(PORTAL);
    expect(text).toContain('don-de-nghi.pdf');
    expect(text).not.toContain(fixtures().softhsm.pin);
    expect(s.stderr()).not.toContain('"level"'); // the log went to the file
  });
});

describe('at a terminal', () => {
  it('kyso sign --pin-stdin reads the PIN with echo off; the prompt is Vietnamese first', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-tty-sign-'));
    const input = await writePdf(path.join(dir, 'in.pdf'));
    const out = path.join(dir, 'out.pdf');
    const pin = fixtures().softhsm.pin;
    const t = onTerminal(['sign', input, '-o', out, ...mod(), '--cert', certificateId('rsa').slice(0, 16), '--pin-stdin']);
    stops.push(t.kill);
    await t.waitFor('/ PIN: ', 'the PIN prompt');
    t.type(`${pin}\r`);
    expect(await t.exited).toBe(0);
    expect(t.output()).toMatch(/Mã PIN của token "[^"]+" \/ PIN: /);
    expect(t.output()).not.toContain(pin);
    expect(existsSync(out)).toBe(true);
  });

  it('kyso serve: the log goes to a file (named at start), questions stay on the terminal; a cancelled request clears its PIN question', async () => {
    const config = mkdtempSync(path.join(os.tmpdir(), 'kyso-tty-serve-'));
    const t = onTerminal(['serve', ...mod(), '--port', '0', '--settings', path.join(config, 'settings.json'), '--trust-origin', PORTAL]);
    stops.push(t.kill);
    await t.waitFor('listening on ws://127.0.0.1:', 'the listening line');
    await until(() => /listening on ws:\/\/127\.0\.0\.1:\d+\r?\n/.test(t.output()), 10_000, 'the port');
    const port = Number(/listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(t.output())![1]);
    const log = path.join(config, 'logs', 'agent.log');
    expect(t.output()).toContain(`nhật ký / log: ${log}`);

    const c = await RpcClient.connect(`ws://127.0.0.1:${port}/`, { origin: PORTAL });
    void c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
    await t.waitFor('/ PIN: ', 'the PIN question');
    await c.close(); // the page goes away while its PIN is asked
    await t.waitFor('không cần trả lời nữa / request cancelled', 'the cancellation notice');
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('"origin"'), 10_000, 'the request in the log file');
    expect(t.output()).not.toContain('"level"');
    t.type('\u0003'); // Ctrl-C: SIGINT from the terminal
    expect(await t.exited).toBe(0);
  });
});
