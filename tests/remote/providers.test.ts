/**
 * Provider presets from remote-providers.json and the account store: a file that does not match is refused whole,
 * naming the field; a provider URL must be https (http only on the loopback); what the user types is normalised
 * and checked against the provider's account kind; the accounts file holds no secret and is never half-written.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProviders, normalizeAccount, userIdFor } from '../../src/core/remote/providers.js';
import { RemoteAccountStore } from '../../src/core/remote/account-store.js';
import { KysoError } from '../../src/core/errors.js';
import type { RemoteProvider } from '../../src/core/remote/types.js';

const preset = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'so-tu-phap', name: 'Sở Tư pháp', app: 'Ký số STP', baseUrl: 'https://kyso.example.gov.vn/csc/v2', protocol: 'csc-v2',
  account: { kind: 'phone', userIdTemplate: 'vn:{account}' }, ...over,
});

function dirWith(providers: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-providers-'));
  writeFileSync(path.join(dir, 'remote-providers.json'), JSON.stringify({ version: 1, providers }));
  return dir;
}

function refusal(f: () => unknown): string {
  try { f(); return 'accepted'; } catch (e) { return e instanceof KysoError ? `${e.code} ${e.detail ?? ''}` : String(e); }
}

describe('remote providers and accounts', () => {
  it('loads a CSC preset from remote-providers.json; refuses a plain-http remote URL, an unknown field, a duplicate', () => {
    expect(loadProviders(mkdtempSync(path.join(os.tmpdir(), 'kyso-none-')))).toEqual([]);
    expect(loadProviders(dirWith([preset()])).map((p) => p.id)).toEqual(['so-tu-phap']);
    expect(loadProviders(dirWith([preset({ baseUrl: 'http://127.0.0.1:8080/csc/v2' })]))).toHaveLength(1);
    expect(refusal(() => loadProviders(dirWith([preset({ baseUrl: 'http://kyso.example.gov.vn/csc/v2' })])))).toMatch(/^BAD_REQUEST .*providers\.0\.baseUrl/);
    expect(refusal(() => loadProviders(dirWith([preset({ baseUrl: 'https://user:pw@kyso.example.gov.vn/' })])))).toMatch(/^BAD_REQUEST .*baseUrl/);
    expect(refusal(() => loadProviders(dirWith([preset({ secret: 'x' })])))).toMatch(/^BAD_REQUEST /);
    expect(refusal(() => loadProviders(dirWith([preset(), preset()])))).toMatch(/defined twice/);
    expect(refusal(() => loadProviders(dirWith([preset({ account: { kind: 'phone', userIdTemplate: 'fixed' } })])))).toMatch(/userIdTemplate/);
  });

  it('normalises what the user types to the provider\'s account kind, and maps it to the user id', () => {
    const phone = loadProviders(dirWith([preset()]))[0]!;
    expect(normalizeAccount(phone, '+84 912 345 678')).toBe('0912345678');
    expect(normalizeAccount(phone, '0912.345.678')).toBe('0912345678');
    expect(refusal(() => normalizeAccount(phone, '12345'))).toMatch(/^BAD_REQUEST .*mobile number/);
    const cccd = { ...phone, account: { kind: 'cccd-or-mst', userIdTemplate: '{account}' } } as RemoteProvider;
    expect(normalizeAccount(cccd, '0101234567-001')).toBe('0101234567-001');
    expect(normalizeAccount(cccd, '001 190 012 345')).toBe('001190012345');
    expect(userIdFor(phone, { id: 'acc-00000000', providerId: phone.id, account: '0912345678', label: 'x' })).toBe('vn:0912345678');
  });

  it('adds, finds and removes accounts; the file is version 1, mode 0600, with no secret; a damaged file is an error', () => {
    const dir = dirWith([preset()]);
    const store = new RemoteAccountStore(dir, loadProviders(dir));
    const a = store.add({ providerId: 'so-tu-phap', account: '0912 345 678', label: 'Điện thoại của tôi' });
    expect(a).toMatchObject({ providerId: 'so-tu-phap', account: '0912345678', label: 'Điện thoại của tôi' });
    expect(refusal(() => store.add({ providerId: 'so-tu-phap', account: '0912345678' }))).toMatch(/already added/);
    expect(store.find('Điện thoại của tôi').id).toBe(a.id);
    expect(store.find(a.id.slice(0, 8)).id).toBe(a.id);
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toEqual({ version: 1, accounts: [a] });
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    store.remove(a.id);
    expect(store.list()).toEqual([]);
    writeFileSync(store.file, '{"version": 1, "accounts": [{"id": "acc-x"}]}');
    expect(refusal(() => store.list())).toMatch(/^BAD_REQUEST /);
  });
});
