/** Options shared by commands that use a token: which PKCS#11 module(s), which token, which certificate. */
import type { Command } from 'commander';
import { KysoError } from '../core/errors.js';
import { discoverModules } from '../core/token/discovery.js';
import { TokenService, type TokenCertificate } from '../core/token/token-service.js';

export interface TokenOptions {
  module?: string[];
  token?: string;
  cert?: string;
}

export function addTokenOptions(cmd: Command): Command {
  return cmd
    .option('--module <path>', 'PKCS#11 module (driver) to load; repeatable; default: search known vendor drivers', (v: string, prev: string[] = []) => [...prev, v])
    .option('--token <label>', 'use the token with this label');
}

/** Loads the named modules, or every known vendor driver found on this machine. */
export function openTokenService(opts: TokenOptions): TokenService {
  const explicit = opts.module ?? [];
  const candidates = explicit.length
    ? explicit.map((path) => ({ path, vendor: 'user', displayName: path }))
    : discoverModules({ userPaths: (process.env.KYSO_PKCS11_MODULE ?? '').split(':').filter(Boolean) });
  if (candidates.length === 0) throw new KysoError('MODULE_NOT_FOUND');
  const service = new TokenService(candidates);
  const loaded = service.moduleReports().filter((r) => r.loaded);
  if (loaded.length === 0) {
    const why = service.moduleReports().map((r) => `${r.path}: ${r.error?.detail ?? r.error?.message}`).join('; ');
    service.close();
    throw new KysoError('MODULE_LOAD_FAILED', why);
  }
  return service;
}

/** Picks the certificate: by id (or unique id prefix), else the only one on the chosen token. */
export function selectCertificate(service: TokenService, opts: TokenOptions): TokenCertificate {
  let certs = service.certificates();
  if (opts.token) certs = certs.filter((c) => c.token.label === opts.token);
  if (service.tokens().length === 0) throw new KysoError('NO_TOKEN');
  if (opts.cert) {
    const wanted = opts.cert.toLowerCase();
    const matches = certs.filter((c) => c.id.startsWith(wanted));
    if (matches.length !== 1) throw new KysoError('CERTIFICATE_NOT_FOUND', matches.length > 1 ? `"${opts.cert}" is ambiguous` : opts.cert);
    return matches[0]!;
  }
  if (certs.length === 0) throw new KysoError('NO_CERTIFICATE');
  if (certs.length > 1) {
    const list = certs.map((c) => `${c.id.slice(0, 16)}  ${c.info.subject.commonName ?? '?'}  [${c.token.label}]`).join('\n  ');
    throw new KysoError('CERTIFICATE_AMBIGUOUS', `choose one with --cert ID:\n  ${list}`);
  }
  return certs[0]!;
}
