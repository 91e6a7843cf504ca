/**
 * The command line's side of remote signing: the accounts and providers in Kyso's config directory, secrets asked
 * on the terminal with echo off (or read from standard input with --pin-stdin), the certificate chosen among the
 * account's, and the wait for the phone shown on stderr — Vietnamese first, with the time left — until it answers
 * or Ctrl-C cancels.
 */
import { defaultConfigDir } from '../core/config-dir.js';
import { KysoError } from '../core/errors.js';
import type { RemoteAccountStore } from '../core/remote/account-store.js';
import type { AskSecret, CscKeySource, SecretRequest } from '../core/remote/remote-source.js';
import type { ApprovalNotice, RemoteAccount, RemoteCertificate } from '../core/remote/types.js';
import { pinFromTerminal, stdinLine } from './pin-input.js';

export interface RemoteCliOptions {
  configDir?: string;
  pinStdin?: boolean;
}

export const CONFIG_DIR_HELP = `where Kyso keeps its state: remote-accounts.json, remote-providers.json (default ${defaultConfigDir()})`;

// The account files' schemas (zod) load only when an account is used: `kyso sign` with a token never needs them.
const accountModules = async () => Promise.all([import('../core/remote/providers.js'), import('../core/remote/account-store.js')]);

export async function remoteStore(opts: RemoteCliOptions): Promise<RemoteAccountStore> {
  const dir = opts.configDir ?? defaultConfigDir();
  const [{ loadProviders }, { RemoteAccountStore }] = await accountModules();
  return new RemoteAccountStore(dir, loadProviders(dir));
}

function secretPrompt(r: SecretRequest): string {
  switch (r.kind) {
    case 'password': return `Mật khẩu tài khoản ${r.provider.name} "${r.account.label}" / Password for ${r.provider.name} account "${r.account.label}": `;
    case 'client-secret': return `Khoá bí mật ứng dụng của ${r.provider.name} / Client secret for ${r.provider.name}: `;
    default: return `Mã PIN ký${r.label ? ` (${r.label})` : ''} của ${r.provider.name} / Signing PIN for ${r.provider.name}: `;
  }
}

/** Secrets in the order they are asked: from stdin lines 0, 1… (--pin-stdin), else the terminal with echo off. */
function askSecretFrom(opts: RemoteCliOptions): AskSecret {
  let line = 0;
  return async (request) => {
    if (!opts.pinStdin || process.stdin.isTTY) return pinFromTerminal(secretPrompt(request));
    const value = await stdinLine(line++);
    if (value === undefined) throw new KysoError('REMOTE_AUTH_FAILED', 'standard input ended before the secret');
    return value;
  };
}

/** The account named on the command line, and a key source for it alone. */
export async function openRemote(opts: RemoteCliOptions, accountName: string): Promise<{ account: RemoteAccount; source: CscKeySource }> {
  const dir = opts.configDir ?? defaultConfigDir();
  const [[{ loadProviders }, { RemoteAccountStore }], { CscKeySource }] = await Promise.all([accountModules(), import('../core/remote/remote-source.js')]);
  const providers = loadProviders(dir);
  const store = new RemoteAccountStore(dir, providers);
  const account = store.find(accountName);
  return { account, source: new CscKeySource({ accounts: () => [account], providers, askSecret: askSecretFrom(opts) }) };
}

/** The certificate `--cert` names (a unique id prefix), or the account's only one. */
export function selectRemoteCertificate(certs: readonly RemoteCertificate[], prefix: string | undefined): RemoteCertificate {
  const matching = prefix ? certs.filter((c) => c.id.startsWith(prefix.toLowerCase())) : certs;
  if (matching.length === 1) return matching[0]!;
  const list = certs.map((c) => `${c.id.slice(0, 16)} ${c.info.subject.commonName ?? ''}`).join('; ');
  if (matching.length === 0) throw new KysoError('CERTIFICATE_NOT_FOUND', prefix ? `no certificate of this account starts with ${prefix} (${list || 'none'})` : 'the account holds no certificate');
  throw new KysoError('BAD_REQUEST', `the account holds several certificates: choose one with --cert ID (${list})`);
}

const mmss = (ms: number): string => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * Shows the wait on stderr: the app to open, the provider's code if any, which request of how many, and the time
 * left — refreshed each second at a terminal, printed once otherwise (a log should not fill with countdowns).
 */
export function printApproval(notice: ApprovalNotice, out: NodeJS.WriteStream = process.stderr): () => void {
  const app = notice.certificate.provider.app;
  const code = notice.code ? ` — mã / code ${notice.code}` : '';
  const which = notice.approval.of > 1 ? ` (yêu cầu ${notice.approval.index}/${notice.approval.of} / request ${notice.approval.index} of ${notice.approval.of})` : '';
  out.write(`Mở ứng dụng ${app} trên điện thoại để xác nhận / Open ${app} on your phone to confirm${code}${which}\n`);
  const status = (): string => `  còn / time left ${mmss(notice.expiresAt.getTime() - Date.now())} — Ctrl-C để huỷ / to cancel`;
  if (!out.isTTY) {
    out.write(`${status()}\n`);
    return () => undefined;
  }
  out.write(status());
  const timer = setInterval(() => out.write(`\r${status()}`), 1000);
  return () => {
    clearInterval(timer);
    out.write('\n');
  };
}

/** An AbortSignal that Ctrl-C fires while `body` runs (USER_CANCELLED then reaches the caller), removed after. */
export async function cancellableByCtrlC<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
