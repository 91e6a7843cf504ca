/**
 * Settings persistence: defaults (PIN cache off, autostart on, Vietnamese), an atomic 0600 JSON file, the TSA
 * password only encrypted by the OS store and never in the file or the page's view, refused when the OS has no
 * protected storage, damaged files recovered field by field, bad input from the page refused.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, settingsAnchors, SettingsStore, trustAnchorsFromFile } from '../../src/app/settings.js';
import { fixtures } from '../helpers/fixtures.js';
import type { SettingsDialogResult } from '../../src/ui/kit/protocol.js';
import { FakeSecrets } from './fake-shell.js';

let dir: string;
let file: string;
beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'kyso-settings-')); file = path.join(dir, 'Kyso', 'settings.json'); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const result = (store: SettingsStore, patch: Partial<SettingsDialogResult> = {}): SettingsDialogResult => {
  const v = store.view();
  return { ...v, tsa: { url: v.tsa.url, username: v.tsa.username }, revokedSites: [], ...patch };
};

describe('settings store', () => {
  it('starts from safe defaults without writing anything', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    expect(s.current).toEqual(defaultSettings());
    expect(s.current.pinCacheMinutes).toBe(0);
    expect(s.current.autostart).toBe(true);
    expect(s.current.vnptCompat).toBe(true);
    expect(s.current.language).toBe('vi');
    expect(existsSync(file)).toBe(false);
  });

  it('saves atomically with owner-only permissions and reads back', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    const changes: unknown[] = [];
    s.onChange((x) => changes.push(x));
    s.apply(result(s, { language: 'en', port: 14321, modulePaths: ['C:\\Windows\\System32\\vnpt-ca_csp11.dll'], logLevel: 'debug', pinCacheMinutes: 15, autostart: false, vnptCompat: false }));
    expect(changes).toHaveLength(1);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(file))).toEqual(['settings.json']); // no temp file left
    const again = new SettingsStore(file, new FakeSecrets());
    expect(again.current).toMatchObject({ language: 'en', port: 14321, modulePaths: ['C:\\Windows\\System32\\vnpt-ca_csp11.dll'], logLevel: 'debug', pinCacheMinutes: 15, autostart: false, vnptCompat: false });
  });

  it('keeps the TSA password only encrypted; the page sees whether one is set, never the password', () => {
    const secrets = new FakeSecrets();
    const s = new SettingsStore(file, secrets);
    s.apply(result(s, { tsa: { url: 'https://tsa.example.vn/tsa', username: 'cong-dan', password: 'Mật-khẩu-123' } }));
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('Mật-khẩu-123');
    expect(text).not.toContain(Buffer.from('Mật-khẩu-123').toString('base64'));
    expect(s.view().tsa).toEqual({ url: 'https://tsa.example.vn/tsa', username: 'cong-dan', hasPassword: true });
    expect(JSON.stringify(s.view())).not.toContain('Mật');
    expect(new SettingsStore(file, secrets).tsaPassword()).toBe('Mật-khẩu-123');

    // Saving other settings keeps it; null forgets it.
    s.apply(result(s, { logLevel: 'warn' }));
    expect(s.tsaPassword()).toBe('Mật-khẩu-123');
    s.apply(result(s, { tsa: { url: 'https://tsa.example.vn/tsa', username: 'cong-dan', password: null } }));
    expect(s.tsaPassword()).toBeUndefined();
    expect(s.view().tsa.hasPassword).toBe(false);
  });

  it('without protected storage the password is refused, never written in plain text', () => {
    const s = new SettingsStore(file, new FakeSecrets(false));
    expect(() => s.apply(result(s, { tsa: { url: 'https://tsa.example.vn', username: 'u', password: 'secret' } }))).toThrow(/protected storage/);
    expect(existsSync(file)).toBe(false);
  });

  it('a password the OS can no longer decrypt (profile copied elsewhere) reads as none', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    s.apply(result(s, { tsa: { url: 'https://tsa.example.vn', username: 'u', password: 'secret' } }));
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.tsa.passwordEncrypted = Buffer.from('garbage').toString('base64');
    writeFileSync(file, JSON.stringify(raw));
    expect(new SettingsStore(file, new FakeSecrets()).tsaPassword()).toBeUndefined();
  });

  it('refuses what the page must not send: ports below 1024, non-http TSA, unknown fields, huge lists', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    expect(() => s.apply(result(s, { port: 80 }))).toThrow();
    expect(() => s.apply(result(s, { tsa: { url: 'file:///etc/passwd', username: '' } }))).toThrow();
    expect(() => s.apply({ ...result(s), extra: true } as SettingsDialogResult)).toThrow();
    expect(() => s.apply(result(s, { modulePaths: Array.from({ length: 100 }, (_, i) => `/m${i}.so`) }))).toThrow();
    expect(() => s.apply(result(s, { pinCacheMinutes: 600 }))).toThrow();
    expect(existsSync(file)).toBe(false);
  });

  it('a damaged file is set aside and the defaults used; a wrong field alone falls back alone', () => {
    new SettingsStore(file, new FakeSecrets()).apply(result(new SettingsStore(file, new FakeSecrets()), { language: 'en' }));
    writeFileSync(file, '{ not json');
    const s = new SettingsStore(file, new FakeSecrets());
    expect(s.current).toEqual(defaultSettings());
    expect(existsSync(`${file}.bad`)).toBe(true);

    writeFileSync(file, JSON.stringify({ version: 1, language: 'en', port: 'abc', pinCacheMinutes: -5, logLevel: 'debug' }));
    const t = new SettingsStore(file, new FakeSecrets());
    expect(t.current).toMatchObject({ language: 'en', port: null, pinCacheMinutes: 0, logLevel: 'debug' });
    // A file from before a setting existed gets that setting's default.
    expect(t.current.vnptCompat).toBe(true);
  });

  it('remembers the last placement choice for next time', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    s.rememberPlacement({ placement: { pages: 'all', rect: [10, 10, 200, 60] }, appearance: { bold: true } });
    expect(new SettingsStore(file, new FakeSecrets()).current.lastPlacement).toEqual({ placement: { pages: 'all', rect: [10, 10, 200, 60] }, appearance: { bold: true } });
  });
});

describe('trust anchors in the settings', () => {
  const rootPem = (): Uint8Array => new Uint8Array(readFileSync(fixtures().pki.rootCa));

  it('a picked file is read as certificates (PEM with several, or DER), kept as data, and reaches the agent as anchors', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    const fromPem = trustAnchorsFromFile(rootPem(), 'root.pem');
    expect(fromPem).toHaveLength(1);
    expect(fromPem[0]).toMatchObject({ name: 'Kyso Test Root CA', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const der = new Uint8Array(Buffer.from(fromPem[0]!.der, 'base64'));
    expect(trustAnchorsFromFile(der, 'root.cer')).toEqual(fromPem);
    expect(trustAnchorsFromFile(new Uint8Array(readFileSync(path.join(path.dirname(fixtures().pki.rootCa), 'chain.pem'))), 'chain.pem').length).toBeGreaterThan(1);

    const added = new Map(fromPem.map((a) => [a.fingerprint, a]));
    s.apply(result(s, { trustAnchors: fromPem.map((a) => ({ fingerprint: a.fingerprint, name: a.name, notAfter: '' })) }), added);
    // Stored as data: the file may move or change afterwards; read back from disk.
    const again = new SettingsStore(file, new FakeSecrets());
    expect(again.current.trustAnchors).toEqual(fromPem);
    expect(again.view().trustAnchors).toEqual([{ fingerprint: fromPem[0]!.fingerprint, name: 'Kyso Test Root CA', notAfter: expect.stringMatching(/^\d{4}-/) }]);
    const anchors = settingsAnchors(again.current);
    expect(anchors.map((a) => a.fingerprint)).toEqual([fromPem[0]!.fingerprint]);
    expect(Buffer.from(anchors[0]!.der).equals(Buffer.from(der))).toBe(true);

    // Saving without the field keeps them; an empty list removes them.
    again.apply({ ...result(again), trustAnchors: undefined } as SettingsDialogResult);
    expect(again.current.trustAnchors).toHaveLength(1);
    again.apply(result(again, { trustAnchors: [] }));
    expect(again.current.trustAnchors).toEqual([]);
    expect(settingsAnchors(again.current)).toEqual([]);
  });

  it('refuses a file that is not a certificate, and an anchor the page names without a picked file', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    expect(() => trustAnchorsFromFile(new Uint8Array(Buffer.from('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n')), 'fake.pem')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => trustAnchorsFromFile(new Uint8Array(Buffer.from('hello')), 'notes.txt')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => trustAnchorsFromFile(new Uint8Array(2 * 1024 * 1024), 'huge.der')).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => s.apply(result(s, { trustAnchors: [{ fingerprint: 'ab'.repeat(32), name: 'Gốc giả', notAfter: '' }] }))).toThrow(/file the user picked/);
    expect(() => s.apply(result(s, { trustAnchors: [{ fingerprint: '../etc/passwd', name: 'x', notAfter: '' }] }))).toThrow();
    expect(existsSync(file)).toBe(false);
  });

  it('a stored anchor edited on disk (no longer its fingerprint) is dropped, the rest of the settings kept', () => {
    const s = new SettingsStore(file, new FakeSecrets());
    const [root] = trustAnchorsFromFile(rootPem(), 'root.pem');
    s.apply(result(s, { language: 'en', trustAnchors: [{ fingerprint: root!.fingerprint, name: root!.name, notAfter: '' }] }), new Map([[root!.fingerprint, root!]]));
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    raw.trustAnchors[0].fingerprint = 'cd'.repeat(32);
    writeFileSync(file, JSON.stringify(raw));
    const t = new SettingsStore(file, new FakeSecrets());
    expect(t.current.language).toBe('en');
    expect(settingsAnchors(t.current)).toEqual([]);
  });
});
