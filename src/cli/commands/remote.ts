/**
 * `kyso remote add|list|remove|certificates`: the remote signing accounts (ký số từ xa) in Kyso's config
 * directory. Adding and removing never contact the provider; `certificates` signs in (asking the password) and
 * lists what the account holds, with the ids `kyso sign --remote ACCOUNT --cert ID` takes.
 */
import type { Command } from 'commander';
import { runCommand } from '../output.js';
import { CONFIG_DIR_HELP, cancellableByCtrlC, openRemote, remoteStore, type RemoteCliOptions } from '../remote-options.js';
import { loadProviders } from '../../core/remote/providers.js';
import { defaultConfigDir } from '../../core/config-dir.js';

interface AddOptions { provider: string; account: string; label?: string }

export function registerRemote(program: Command): void {
  const remote = program.command('remote').description('tài khoản ký số từ xa / remote signing accounts (certificate in the provider\'s HSM, approved on the phone)')
    .option('--config-dir <dir>', CONFIG_DIR_HELP);
  const common = (cmd: Command): RemoteCliOptions => (cmd.parent?.opts() as RemoteCliOptions | undefined) ?? {};

  remote.command('add').description('thêm tài khoản / add an account (nothing is sent to the provider)')
    .requiredOption('--provider <id>', 'provider id (kyso remote providers)')
    .requiredOption('--account <cccd|mst|phone>', 'the account as the provider knows it: CCCD, MST or phone number')
    .option('--label <text>', 'your name for it, usable instead of its id')
    .action((opts: AddOptions, cmd: Command) => runCommand(async () => {
      const added = (await remoteStore(common(cmd))).add({ providerId: opts.provider, account: opts.account, ...(opts.label !== undefined ? { label: opts.label } : {}) });
      process.stdout.write(`${added.id}\n`);
      process.stderr.write(`đã thêm / added: ${added.label} (${added.providerId}, ${added.account})\n`);
    }));

  remote.command('list').description('các tài khoản đã thêm / the accounts added')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) => runCommand(async () => {
      const accounts = (await remoteStore(common(cmd))).list();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(accounts, null, 2)}\n`);
        return;
      }
      if (!accounts.length) process.stderr.write('chưa có tài khoản nào / no account yet (kyso remote add)\n');
      for (const a of accounts) process.stdout.write(`${a.id}  ${a.providerId}  ${a.account}  ${a.label}\n`);
    }));

  remote.command('remove <account>').description('xoá tài khoản (id hoặc nhãn) / remove an account (id or label)')
    .action((name: string, _opts: unknown, cmd: Command) => runCommand(async () => {
      const removed = (await remoteStore(common(cmd))).remove(name);
      process.stderr.write(`đã xoá / removed: ${removed.label} (${removed.providerId}, ${removed.account})\n`);
    }));

  remote.command('providers').description('các nhà cung cấp đã biết / the providers Kyso knows (built in, and remote-providers.json)')
    .action((_opts: unknown, cmd: Command) => runCommand(async () => {
      const providers = loadProviders(common(cmd).configDir ?? defaultConfigDir());
      if (!providers.length) process.stderr.write('chưa có nhà cung cấp nào / no provider configured (docs/remote-signing.md)\n');
      for (const p of providers) process.stdout.write(`${p.id}  ${p.name}  (${p.account.kind}, ${p.app})  ${p.baseUrl}\n`);
    }));

  remote.command('certificates <account>').description('đăng nhập và liệt kê chứng thư của tài khoản / sign in and list the account\'s certificates')
    .option('--pin-stdin', 'read the password from the first line of standard input')
    .action((name: string, opts: { pinStdin?: boolean }, cmd: Command) => runCommand(async () => {
      const { source } = await openRemote({ ...common(cmd), ...opts }, name);
      const certs = await cancellableByCtrlC((signal) => source.certificates({ signal }));
      for (const c of certs) {
        const ids = Object.entries(c.info.subject.identifiers).map(([k, v]) => `${k}:${v}`).join(' ');
        process.stdout.write(`${c.id}\n  ${c.info.subject.commonName ?? ''}${ids ? ` (${ids})` : ''}\n  cấp bởi / issuer: ${c.info.issuer.commonName ?? ''}; hiệu lực đến / valid until ${c.info.notAfter.toISOString()}; ${c.info.keyType} ${c.info.keySize}; ${c.multiSign > 1 ? `tối đa ${c.multiSign} tài liệu một lần xác nhận / up to ${c.multiSign} documents per approval` : 'một tài liệu mỗi lần xác nhận / one document per approval'}\n`);
      }
    }));
}
