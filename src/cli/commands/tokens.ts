/**
 * `kyso tokens`: what the machine's drivers see — modules, tokens, and certificates usable for signing.
 * No token is a failure (NO_TOKEN, exit 1) after the listing: a script asking "is my token there?" reads the status.
 */
import type { Command } from 'commander';
import { addTokenOptions, moduleFailure, openTokenService, type TokenOptions } from '../token-options.js';
import { runCommand } from '../output.js';
import { KysoError } from '../../core/errors.js';
import { validityState } from '../../core/cert/parse.js';
import type { TokenCertificate, TokenService, TokenSummary } from '../../core/token/token-service.js';

/** The human listing: modules, then each token with its certificates. */
function printListing(service: TokenService, tokens: readonly TokenSummary[], certs: readonly TokenCertificate[]): void {
  for (const r of service.moduleReports()) {
    process.stdout.write(`module ${r.path} (${r.vendor}): ${r.loaded ? 'đã nạp / loaded' : `LỖI / FAILED ${r.error?.code}: ${moduleFailure(r)}`}\n`);
  }
  for (const t of tokens) {
    const pin = t.pinState === 'ok' ? '' : `  PIN: ${t.pinState}`;
    process.stdout.write(`\ntoken "${t.label}"  serial ${t.serial}  ${t.manufacturer} ${t.model}${t.flags.protectedAuthenticationPath ? '  (PIN pad)' : ''}${pin}\n`);
    for (const c of certs.filter((x) => x.token.id === t.id)) {
      const s = c.info.subject;
      const ids = Object.entries(s.identifiers).map(([k, v]) => `${k}:${v}`).join(' ');
      process.stdout.write(`  cert ${c.id.slice(0, 16)}  ${s.commonName ?? '?'}${ids ? `  ${ids}` : ''}\n`);
      if (s.organization) process.stdout.write(`       O: ${s.organization}${s.title ? `  T: ${s.title}` : ''}\n`);
      process.stdout.write(`       issuer: ${c.info.issuer.commonName ?? '?'}  valid ${c.info.notBefore.toISOString().slice(0, 10)} → ${c.info.notAfter.toISOString().slice(0, 10)} (${validityState(c.info)})  ${c.info.keyType}-${c.info.keySize}\n`);
    }
  }
}

export function registerTokens(program: Command): void {
  addTokenOptions(program.command('tokens').description('liệt kê token và chứng thư số / list tokens and their signing certificates'))
    .option('--json', 'machine-readable output')
    .action((opts: TokenOptions & { json?: boolean }) => runCommand(async () => {
      const service = openTokenService(opts);
      try {
        const tokens = service.tokens().filter((t) => !opts.token || t.label === opts.token);
        const certs = service.certificates().filter((c) => !opts.token || c.token.label === opts.token);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({
            modules: service.moduleReports().map((r) => ({ path: r.path, vendor: r.vendor, loaded: r.loaded, ...(r.error ? { error: r.error.code, detail: r.error.detail } : {}) })),
            tokens,
            certificates: certs.map((c) => ({ id: c.id, token: c.token.label, ...c.info, validity: validityState(c.info) })),
          }, null, 2)}\n`);
        } else {
          printListing(service, tokens, certs);
        }
        if (tokens.length === 0) throw new KysoError('NO_TOKEN', opts.token ? `no token labelled "${opts.token}"` : undefined);
      } finally {
        service.close();
      }
    }));
}
