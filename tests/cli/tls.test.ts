/**
 * `kyso tls install|status|uninstall` and `kyso serve` over wss, as the installer and a user run them: HOME is a
 * temporary directory, so the store written is a real NSS database (~/.pki/nssdb, Chromium's) of that HOME only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useDefaultPorts } from '../helpers/default-ports.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import WebSocket from 'ws';
import { RpcClient, b64, samplePdf, startServe, until } from '../agent/harness.js';

const KYSO = fileURLToPath(new URL('../../bin/kyso.js', import.meta.url));
const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-tls-home-'));
const config = path.join(home, 'config');
const nssdb = path.join(home, '.pki', 'nssdb');
const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };

const kyso = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [KYSO, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const nssHas = (name: string): boolean => spawnSync('certutil', ['-L', '-d', `sql:${nssdb}`, '-n', name], { encoding: 'utf8' }).status === 0;

function probe(port: number, ca: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', servername: 'localhost', port, path: '/.well-known/kyso', ...(ca ? { ca } : {}), headers: { Host: `localhost:${port}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

useDefaultPorts(); // serve --vnpt takes the plugin's port 4433 (or 4434, 4435), as pages expect

describe('kyso tls', () => {
  it('status before install says so and exits 1', () => {
    const r = kyso('tls', '--config-dir', config, 'status');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('kyso tls install');
  });

  it('install makes the CA, trusts it in the user NSS database, keeps no CA key; serve then speaks wss with it', async () => {
    const r = kyso('tls', '--config-dir', config, 'install');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const name = /^CA cục bộ đã tạo \/ created local CA (.+)$/m.exec(r.stdout)?.[1];
    expect(name).toMatch(/^Kyso Local CA \d{4}-\d{2}-\d{2} [0-9a-f]+$/);
    expect(r.stdout).toMatch(/ok {5}tin cậy trong \/ trusted in Chromium/);
    expect(nssHas(name!)).toBe(true);
    // Exactly one private key on disk, the server's, readable by the user only.
    const tlsDir = path.join(config, 'tls');
    const keys = readdirSync(tlsDir).filter((f) => readFileSync(path.join(tlsDir, f), 'utf8').includes('PRIVATE KEY'));
    expect(keys).toEqual(['server.key']);

    const status = kyso('tls', '--config-dir', config, 'status', '--json');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ present: true, caName: name, stores: [{ installed: true }] });

    // Installing again changes nothing but re-asserts trust.
    const again = kyso('tls', '--config-dir', config, 'install');
    expect(again.stdout).toContain(`có sẵn / existing local CA ${name}`);

    const ca = readFileSync(path.join(tlsDir, 'ca.crt'), 'utf8');
    const s = await startServe(['--trust-origin', 'https://portal.example', '--pin-stdin'], `${fixtures().softhsm.pin}\n`, { configDir: config, env });
    try {
      expect(await probe(s.port, ca)).toBe(200);
      await expect(probe(s.port, undefined)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
      const c = await RpcClient.connect(`wss://localhost:${s.port}/`, { origin: 'https://portal.example', ca });
      const res = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
      expect(res.error).toBeUndefined();
      withTempFile(Buffer.from(res.result.document, 'base64'), 's.pdf', (f) => expect(pdfsig(f).signatures[0]?.valid).toBe(true));
      await c.close();
      // The plain port is the same one, still open for browsers that allow ws:// to loopback.
      const plain = await RpcClient.connect(`ws://127.0.0.1:${s.port}/`, { origin: 'https://portal.example' });
      await plain.close();
    } finally {
      await s.stop();
    }

    const u = kyso('tls', '--config-dir', config, 'uninstall');
    expect(u.status, u.stdout + u.stderr).toBe(0);
    expect(u.stdout).toMatch(/ok {5}gỡ khỏi \/ removed from Chromium/);
    expect(nssHas(name!)).toBe(false);
    expect(existsSync(path.join(tlsDir, 'ca.crt'))).toBe(false);
    expect(kyso('tls', '--config-dir', config, 'status').status).toBe(1);
  });

  it('serve --tls --vnpt: the plugin-compatible endpoint answers over wss with the CA made on the way', async () => {
    const cfg = path.join(home, 'config-vnpt');
    const s = await startServe(['--tls', '--vnpt', '--trust-origin', 'https://portal.example'], '', { configDir: cfg, env });
    try {
      await until(() => /"endpoint":"vnpt"[^\n]*"event":"listening"|"event":"listening"[^\n]*"endpoint":"vnpt"/.test(s.stderr()), 10_000, 'vnpt listening');
      const line = s.stderr().split('\n').find((l) => l.includes('"endpoint":"vnpt"') && l.includes('"listening"'))!;
      const port = (JSON.parse(line) as { port: number }).port;
      expect([4433, 4434, 4435]).toContain(port);
      const ca = readFileSync(path.join(cfg, 'tls', 'ca.crt'), 'utf8');
      const ws = new WebSocket(`wss://localhost:${port}/plugin`, { origin: 'https://portal.example', ca });
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send(JSON.stringify({ functionID: 7, funcCallback: 'cb', args: [] })));
        ws.once('message', (d) => resolve(d.toString()));
        ws.once('error', reject);
      });
      expect(reply).toBe('1*cb');
      ws.close();
    } finally {
      await s.stop();
      kyso('tls', '--config-dir', cfg, 'uninstall');
    }
  });

  it('serve --no-tls stays plain even with a certificate present', async () => {
    expect(kyso('tls', '--config-dir', config, 'install').status).toBe(0);
    const s = await startServe(['--no-tls'], '', { configDir: config, env });
    try {
      await expect(probe(s.port, readFileSync(path.join(config, 'tls', 'ca.crt'), 'utf8'))).rejects.toThrow();
    } finally {
      await s.stop();
      kyso('tls', '--config-dir', config, 'uninstall');
    }
  });
});
