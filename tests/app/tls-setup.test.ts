/** The installer's `--tls-install` / `--tls-uninstall` steps, against a real NSS database in a temporary directory. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NssStore } from '../../src/agent/tls/nss.js';
import { loopbackTlsStatus } from '../../src/agent/tls/index.js';
import { TLS_INSTALL_ARG, TLS_UNINSTALL_ARG, runTlsSetup, tlsSetupCommand } from '../../src/app/tls-setup.js';

describe('tray app TLS setup (installer steps)', () => {
  it('reads its command from argv; the tray starts normally without one', () => {
    expect(tlsSetupCommand(['Kyso.exe', TLS_INSTALL_ARG])).toBe('install');
    expect(tlsSetupCommand(['Kyso.exe', TLS_UNINSTALL_ARG])).toBe('uninstall');
    expect(tlsSetupCommand(['Kyso.exe', '--hidden'])).toBeUndefined();
  });

  it('install puts the CA in the store and exits 0; uninstall takes it out and deletes the files', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kyso-tls-setup-'));
    const data = path.join(root, 'userData');
    const db = path.join(root, 'nssdb');
    const stores = [new NssStore(db, 'test nssdb', { create: true })];
    const lines: string[] = [];
    expect(await runTlsSetup('install', data, (l) => lines.push(l), stores)).toBe(0);
    const name = loopbackTlsStatus(data).caName!;
    expect(spawnSync('certutil', ['-L', '-d', `sql:${db}`, '-n', name]).status).toBe(0);
    expect(lines).toEqual(['tls install test nssdb: ok']);

    expect(await runTlsSetup('uninstall', data, (l) => lines.push(l), stores)).toBe(0);
    expect(spawnSync('certutil', ['-L', '-d', `sql:${db}`, '-n', name]).status).not.toBe(0);
    expect(existsSync(path.join(data, 'tls', 'ca.crt'))).toBe(false);
  });

  it('a store that fails makes the step exit 1 with the reason, and the profile is kept for the next start', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'kyso-tls-setup-'));
    const lines: string[] = [];
    const missing = new NssStore(path.join(data, 'no-such-db'), 'absent db', {}); // not created: install fails
    expect(await runTlsSetup('install', data, (l) => lines.push(l), [missing])).toBe(1);
    expect(lines[0]).toMatch(/^tls install absent db: failed: /);
    expect(loopbackTlsStatus(data).stores).toMatchObject([{ installed: false }]);
  });
});
