/**
 * The loopback TLS profile and the trust stores: a real NSS database (certutil) on Linux, and the exact commands
 * run on Windows and macOS, recorded by a runner that also reads the certificate file each command is given.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverTrustStores, ensureLoopbackTls, loadLoopbackTls, loopbackTlsStatus, removeLoopbackTls } from '../../src/agent/tls/index.js';
import { NssStore } from '../../src/agent/tls/nss.js';
import type { CommandRunner } from '../../src/agent/tls/trust-store.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'kyso-tls-'));
  dirs.push(d);
  return d;
};
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const certutil = (...args: string[]): { code: number | null; out: string } => {
  const r = spawnSync('certutil', args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

/** Records each command; for a file argument ending in .crt, records the certificate's SHA-256 it held. */
function recorder(answer: (file: string, args: readonly string[]) => number = () => 0): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args.map((a) => (a.endsWith('.crt') && existsSync(a) ? `<ca ${new X509Certificate(readFileSync(a)).fingerprint256}>` : a))]);
    const code = answer(file, args);
    return { code, stdout: '', stderr: code ? 'refused by the user' : '' };
  };
  return { run, calls };
}

const fp = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('loopback TLS profile with a real NSS database', () => {
  it('first run: CA in the NSS database (trusted for TLS only), server key private, no CA key anywhere', async () => {
    const data = tmp();
    const nssDir = path.join(tmp(), 'nssdb');
    const store = new NssStore(nssDir, 'test nssdb', { create: true });
    const r = await ensureLoopbackTls(data, { stores: [store] });
    expect(r.change).toBe('created');
    expect(r.trust).toEqual([{ store: `nss:${nssDir}`, label: 'test nssdb', ok: true }]);

    const listed = certutil('-L', '-d', `sql:${nssDir}`);
    expect(listed.out).toMatch(new RegExp(`${r.tls.caName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+C,,`));
    expect(await store.contains({ pem: r.tls.ca, name: r.tls.caName, sha1: '', sha256: r.tls.caSha256 })).toBe(true);

    const tlsDir = path.join(data, 'tls');
    expect(readdirSync(tlsDir).sort()).toEqual(['ca.crt', 'server.crt', 'server.key', 'state.json']);
    expect(statSync(path.join(tlsDir, 'server.key')).mode & 0o777).toBe(0o600);
    for (const f of readdirSync(tlsDir).filter((n) => n !== 'server.key')) {
      expect(readFileSync(path.join(tlsDir, f), 'utf8'), f).not.toMatch(/PRIVATE KEY/);
    }
    // The one private key on disk is the server's: it matches the server certificate, not the CA.
    const key = readFileSync(path.join(tlsDir, 'server.key'), 'utf8');
    expect(new X509Certificate(r.tls.cert).checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(key)))).toBe(true);
    expect(new X509Certificate(r.tls.ca).checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(key)))).toBe(false);
    // openssl agrees the chain holds.
    const v = spawnSync('openssl', ['verify', '-CAfile', path.join(tlsDir, 'ca.crt'), '-verify_ip', '127.0.0.1', path.join(tlsDir, 'server.crt')], { encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
  });

  it('later runs reuse the profile and install nothing again', async () => {
    const data = tmp();
    const { run, calls } = recorder();
    const nss = new NssStore(path.join(tmp(), 'db'), 'x', { create: true });
    const first = await ensureLoopbackTls(data, { stores: [nss] });
    const again = await ensureLoopbackTls(data, { stores: [new NssStore(path.join(tmp(), 'db'), 'x', { run, create: true })] });
    expect(again.change).toBe('none');
    expect(again.tls.caSha256).toBe(first.tls.caSha256);
    expect(loadLoopbackTls(data)?.cert).toBe(first.tls.cert);
    // A store first seen now (a new Firefox profile) gets the CA; the known one is not asked again.
    expect(again.trust, JSON.stringify(calls)).toEqual([expect.objectContaining({ ok: true })]);
    expect(calls.filter((c) => c.includes('-A')), JSON.stringify(calls)).toHaveLength(1);
    const third = await ensureLoopbackTls(data, { stores: [nss] });
    expect(third.trust).toEqual([]);
  });

  it('renews before expiry: a new CA goes in, the old one comes out', async () => {
    const data = tmp();
    const nssDir = path.join(tmp(), 'nssdb');
    const store = new NssStore(nssDir, 'db', { create: true });
    const first = await ensureLoopbackTls(data, { stores: [store] });
    const later = new Date(first.tls.notAfter.getTime() - 10 * 86_400_000);
    const second = await ensureLoopbackTls(data, { stores: [store], now: later });
    expect(second.change).toBe('renewed');
    expect(second.tls.caSha256).not.toBe(first.tls.caSha256);
    expect(second.tls.notAfter.getTime()).toBeGreaterThan(first.tls.notAfter.getTime());
    expect(certutil('-L', '-d', `sql:${nssDir}`, '-n', second.tls.caName).code).toBe(0);
    expect(certutil('-L', '-d', `sql:${nssDir}`, '-n', first.tls.caName).code).not.toBe(0);
    expect(loadLoopbackTls(data, later)?.caSha256).toBe(second.tls.caSha256);
    // Expired and never renewed: nothing to serve with.
    expect(loadLoopbackTls(data, new Date(second.tls.notAfter.getTime() + 1000))).toBeUndefined();
  });

  it('uninstall removes the CA from the database and deletes the profile', async () => {
    const data = tmp();
    const nssDir = path.join(tmp(), 'nssdb');
    const store = new NssStore(nssDir, 'db', { create: true });
    const r = await ensureLoopbackTls(data, { stores: [store] });
    expect(await removeLoopbackTls(data, { stores: [store] })).toEqual([{ store: store.id, label: 'db', ok: true }]);
    expect(certutil('-L', '-d', `sql:${nssDir}`, '-n', r.tls.caName).code).not.toBe(0);
    expect(existsSync(path.join(data, 'tls'))).toBe(false);
    expect(loopbackTlsStatus(data).present).toBe(false);
  });

  it('a damaged profile is made anew; a key readable by others is made private again', async () => {
    const data = tmp();
    const first = await ensureLoopbackTls(data, { stores: [] });
    chmodSync(path.join(data, 'tls', 'server.key'), 0o644);
    expect(loadLoopbackTls(data)?.caSha256).toBe(first.tls.caSha256);
    expect(statSync(path.join(data, 'tls', 'server.key')).mode & 0o777).toBe(0o600);
    writeFileSync(path.join(data, 'tls', 'server.crt'), 'garbage');
    const second = await ensureLoopbackTls(data, { stores: [] });
    expect(second.change).toBe('created');
    expect(second.tls.caSha256).not.toBe(first.tls.caSha256);
  });
});

describe('trust stores on Windows and macOS (commands recorded)', () => {
  it('Windows: user Root store through certutil -user, Firefox told to trust system roots, both undone on uninstall', async () => {
    const home = tmp();
    const appData = path.join(home, 'AppData', 'Roaming');
    const profile = path.join(appData, 'Mozilla', 'Firefox', 'Profiles', 'abcd.default-release');
    mkdirSync(profile, { recursive: true });
    writeFileSync(path.join(profile, 'prefs.js'), '');
    writeFileSync(path.join(profile, 'user.js'), 'user_pref("browser.startup.page", 3);\n');
    const { run, calls } = recorder();
    const stores = discoverTrustStores({ platform: 'win32', home, env: { APPDATA: appData }, run });
    expect(stores.map((s) => s.id)).toEqual(['windows-user-root', `firefox-prefs:${profile}`]);

    const data = tmp();
    const r = await ensureLoopbackTls(data, { stores });
    expect(r.trust.every((t) => t.ok)).toBe(true);
    expect(calls).toEqual([['certutil', '-user', '-addstore', '-f', 'Root', `<ca ${fp(r.tls.ca)}>`]]);
    const userJs = readFileSync(path.join(profile, 'user.js'), 'utf8');
    expect(userJs).toContain('user_pref("browser.startup.page", 3);');
    expect(userJs).toContain('user_pref("security.enterprise_roots.enabled", true);');

    const sha1 = new X509Certificate(r.tls.ca).fingerprint.replace(/:/g, '').toLowerCase();
    await removeLoopbackTls(data, { stores });
    expect(calls[1]).toEqual(['certutil', '-user', '-delstore', 'Root', sha1]);
    expect(readFileSync(path.join(profile, 'user.js'), 'utf8')).toBe('user_pref("browser.startup.page", 3);\n');
  });

  it('macOS: login keychain trusted for SSL only; removal drops trust settings and the certificate', async () => {
    const home = tmp();
    const { run, calls } = recorder();
    const stores = discoverTrustStores({ platform: 'darwin', home, env: {}, run });
    expect(stores.map((s) => s.id)).toEqual(['macos-login-keychain']);
    const data = tmp();
    const r = await ensureLoopbackTls(data, { stores });
    const keychain = path.join(home, 'Library', 'Keychains', 'login.keychain-db');
    expect(calls).toEqual([['security', 'add-trusted-cert', '-r', 'trustRoot', '-p', 'ssl', '-k', keychain, `<ca ${fp(r.tls.ca)}>`]]);
    await removeLoopbackTls(data, { stores });
    const sha1 = new X509Certificate(r.tls.ca).fingerprint.replace(/:/g, '');
    expect(calls.slice(1)).toEqual([
      ['security', 'remove-trusted-cert', `<ca ${fp(r.tls.ca)}>`],
      ['security', 'delete-certificate', '-Z', sha1, keychain],
    ]);
  });

  it('a store the user declines is reported and remembered; only "install all" asks again; renewal keeps the old CA if the new one is declined everywhere', async () => {
    let refuse = true;
    const { run, calls } = recorder(() => (refuse ? 1 : 0));
    const stores = discoverTrustStores({ platform: 'win32', home: tmp(), env: {}, run });
    const data = tmp();
    const first = await ensureLoopbackTls(data, { stores });
    expect(first.change).toBe('created');
    expect(first.trust).toEqual([{ store: 'windows-user-root', label: stores[0]!.label, ok: false, error: 'certutil exited with 1: refused by the user' }]);
    expect(loopbackTlsStatus(data).stores).toEqual([expect.objectContaining({ store: 'windows-user-root', installed: false })]);
    await ensureLoopbackTls(data, { stores });
    expect(calls).toHaveLength(1);
    refuse = false;
    const all = await ensureLoopbackTls(data, { stores, install: 'all' });
    expect(all.trust[0]?.ok).toBe(true);
    expect(calls).toHaveLength(2);

    refuse = true;
    const nearEnd = new Date(first.tls.notAfter.getTime() - 86_400_000);
    const kept = await ensureLoopbackTls(data, { stores, now: nearEnd });
    expect(kept.change).toBe('none');
    expect(kept.tls.caSha256).toBe(first.tls.caSha256);
    expect(kept.trust[0]?.ok).toBe(false);
  });
});
