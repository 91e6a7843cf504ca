/**
 * `kyso tls status|install|uninstall`: the loopback certificate that lets browsers reach the agent over
 * https/wss (agent/tls/). `install` makes it if needed and puts the local CA in every trust store of this
 * user (the installer runs it); `uninstall` takes the CA out of them and deletes the files.
 */
import type { Command } from 'commander';
import { defaultConfigDir } from '../../core/config-dir.js';
import { ensureLoopbackTls, loopbackTlsStatus, removeLoopbackTls, type TrustOutcome } from '../../agent/tls/index.js';
import { EXIT, runCommand } from '../output.js';

interface TlsOptions {
  configDir?: string;
  json?: boolean;
}

/** One line per trust store: `  ok     tin cậy trong / trusted in LABEL` or `  LỖI / FAILED …: why`. */
export function printOutcomes(outcomes: readonly TrustOutcome[], verb: string, out: NodeJS.WritableStream = process.stdout): void {
  for (const t of outcomes) {
    out.write(`  ${t.ok ? 'ok    ' : 'LỖI / FAILED'} ${verb} ${t.label}${t.ok ? '' : `: ${t.error ?? ''}`}\n`);
  }
}

export function registerTls(program: Command): void {
  const tls = program.command('tls').description('chứng thư TLS cục bộ cho trình duyệt / the local certificate for https/wss on this computer')
    .option('--config-dir <dir>', `where Kyso keeps its state (default ${defaultConfigDir()})`);
  const dir = (cmd: Command): string => (cmd.parent?.opts() as TlsOptions | undefined)?.configDir ?? defaultConfigDir();

  tls.command('status').description('show the local CA, its expiry and the trust stores it was put in')
    .option('--json', 'machine-readable output')
    .action((opts: TlsOptions, cmd: Command) => runCommand(async () => {
      const s = loopbackTlsStatus(dir(cmd));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...s, notAfter: s.notAfter?.toISOString() }, null, 2)}\n`);
        return s.present ? EXIT.ok : EXIT.failure;
      }
      if (!s.present) {
        process.stdout.write(`chưa có chứng thư cục bộ / no local certificate in ${s.directory} (kyso tls install)\n`);
        return EXIT.failure;
      }
      process.stdout.write(`CA ${s.caName}\n  SHA-256 ${s.caSha256}\n  chứng thư máy chủ có hiệu lực đến / server certificate valid until ${s.notAfter?.toISOString()}\n  tệp trong / files in ${s.directory}\n`);
      for (const st of s.stores) process.stdout.write(`  ${st.installed ? 'tin cậy trong / trusted in' : 'CHƯA tin cậy trong / NOT TRUSTED in'} ${st.store} (${st.at})${st.error ? `: ${st.error}` : ''}\n`);
      return EXIT.ok;
    }));

  tls.command('install').description('make the certificate if needed and trust the local CA in this user\'s stores / cài chứng thư CA cục bộ')
    .action((_opts: unknown, cmd: Command) => runCommand(async () => {
      const r = await ensureLoopbackTls(dir(cmd), { install: 'all' });
      const what = r.change === 'none' ? 'có sẵn / existing' : `${r.change === 'created' ? 'đã tạo' : 'đã làm mới'} / ${r.change}`;
      process.stdout.write(`CA cục bộ ${what} local CA ${r.tls.caName}\n  SHA-256 ${r.tls.caSha256}\n  chứng thư máy chủ có hiệu lực đến / server certificate valid until ${r.tls.notAfter.toISOString()}\n`);
      printOutcomes(r.trust, 'tin cậy trong / trusted in');
      if (r.trust.length === 0) process.stdout.write('  không tìm thấy kho chứng thư / no trust store found on this computer\n');
      return r.trust.every((t) => t.ok) ? EXIT.ok : EXIT.failure;
    }));

  tls.command('uninstall').description('remove the local CA from the trust stores and delete the certificate / gỡ chứng thư CA cục bộ')
    .action((_opts: unknown, cmd: Command) => runCommand(async () => {
      const outcomes = await removeLoopbackTls(dir(cmd));
      if (outcomes.length === 0) process.stdout.write('không có gì để gỡ / no local CA was installed\n');
      printOutcomes(outcomes, 'gỡ khỏi / removed from');
      return outcomes.every((t) => t.ok) ? EXIT.ok : EXIT.failure;
    }));
}
