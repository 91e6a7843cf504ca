/** Options shared by commands that use a token: which PKCS#11 module(s), which token, which certificate. */
import path from 'node:path';
import type { Command } from 'commander';
import { KysoError } from '../core/errors.js';
import { discoverModules, type ModuleCandidate } from '../core/token/discovery.js';
import { TokenService, type ModuleLoadReport, type TokenCertificate, type TokenSummary } from '../core/token/token-service.js';

export interface TokenOptions {
  module?: string[];
  token?: string;
  cert?: string;
}

export const MODULE_OPTION_HELP = `PKCS#11 module (driver) to load; repeatable; default: KYSO_PKCS11_MODULE (paths separated by "${path.delimiter}"), else search known vendor drivers`;

export function addTokenOptions(cmd: Command): Command {
  return cmd
    .option('--module <path>', MODULE_OPTION_HELP, (v: string, prev: string[] = []) => [...prev, v])
    .option('--token <label>', 'use the token with this label');
}

/** The modules the user named (--module, else KYSO_PKCS11_MODULE); empty when Kyso should search. */
function namedModules(opts: TokenOptions): string[] {
  if (opts.module?.length) return opts.module;
  return (process.env.KYSO_PKCS11_MODULE ?? '').split(path.delimiter).filter(Boolean);
}

/** `PATH: reason`, the path once (the loader and dlopen each prefix it to their message). */
export function moduleFailure(r: ModuleLoadReport): string {
  let reason = r.error?.detail ?? r.error?.message ?? '';
  while (reason.startsWith(`${r.path}: `)) reason = reason.slice(r.path.length + 2);
  return `${r.path}: ${reason}`;
}

/**
 * Loads the named modules, or every known vendor driver found on this machine. A module the user named must
 * load (a typo must not fall back to something else or look like "no token"); among the ones found by
 * searching, one that loads is enough.
 */
export function openTokenService(opts: TokenOptions): TokenService {
  const named = namedModules(opts);
  const candidates: ModuleCandidate[] = named.length
    ? named.map((p) => ({ path: p, vendor: 'user', displayName: p }))
    : discoverModules();
  if (candidates.length === 0) throw new KysoError('MODULE_NOT_FOUND');
  const service = new TokenService(candidates);
  const reports = service.moduleReports();
  const failed = reports.filter((r) => !r.loaded);
  if (failed.length > 0 && (named.length > 0 || failed.length === reports.length)) {
    service.close();
    throw new KysoError('MODULE_LOAD_FAILED', failed.map(moduleFailure).join('; '));
  }
  return service;
}

/** The one token labelled `label`: NO_TOKEN when none is, USAGE when several are (a PIN must go to one token). */
export function tokenByLabel(service: TokenService, label: string): TokenSummary {
  const found = service.tokens().filter((t) => t.label === label);
  if (found.length === 0) throw new KysoError('NO_TOKEN', `no token labelled "${label}"`);
  if (found.length > 1) throw new KysoError('USAGE', `several tokens are labelled "${label}"; unplug the others or use --cert`);
  return found[0]!;
}

/** `--pin-stdin` names its token: with --token or --cert, so the PIN can never be offered to another token. */
export function assertPinTarget(opts: TokenOptions & { pinStdin?: boolean }): void {
  if (opts.pinStdin && !opts.token && !opts.cert) {
    throw new KysoError('USAGE', '--pin-stdin needs --token LABEL or --cert ID: the PIN is given to that token only');
  }
}

/** Picks the certificate: by id (or unique id prefix), else the only one on the chosen token. */
export function selectCertificate(service: TokenService, opts: TokenOptions): TokenCertificate {
  if (service.tokens().length === 0) throw new KysoError('NO_TOKEN');
  let certs = service.certificates();
  if (opts.token) {
    tokenByLabel(service, opts.token);
    certs = certs.filter((c) => c.token.label === opts.token);
  }
  if (opts.cert) {
    const wanted = opts.cert.toLowerCase();
    const matches = certs.filter((c) => c.id.startsWith(wanted));
    if (matches.length !== 1) throw new KysoError('CERTIFICATE_NOT_FOUND', matches.length > 1 ? `"${opts.cert}" is ambiguous` : opts.cert);
    return matches[0]!;
  }
  if (certs.length === 0) throw new KysoError('NO_CERTIFICATE');
  if (certs.length > 1) {
    const list = certs.map((c) => `${c.id.slice(0, 16)}  ${c.info.subject.commonName ?? '?'}  [${c.token.label}]`).join('\n  ');
    throw new KysoError('CERTIFICATE_AMBIGUOUS', `chọn một bằng --cert ID / choose one with --cert ID:\n  ${list}`);
  }
  return certs[0]!;
}
