/** `kyso tokens`: what the machine's drivers see — modules, tokens, and certificates usable for signing. */
import type { Command } from 'commander';
import { addTokenOptions, openTokenService, type TokenOptions } from '../token-options.js';
import { runCommand } from '../output.js';
import { validityState } from '../../core/cert/parse.js';

export function registerTokens(program: Command): void {
  addTokenOptions(program.command('tokens').description('list tokens and their signing certificates / liệt kê token và chứng thư số'))
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
          return;
        }
        for (const r of service.moduleReports()) {
          process.stdout.write(`module ${r.path} (${r.vendor}): ${r.loaded ? 'loaded' : `FAILED ${r.error?.code}: ${r.error?.detail ?? ''}`}\n`);
        }
        if (tokens.length === 0) process.stdout.write('no token / không thấy token\n');
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
      } finally {
        service.close();
      }
    }));
}
