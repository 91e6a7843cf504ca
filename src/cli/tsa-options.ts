/** TSA flags shared by `kyso sign` and `kyso timestamp`: URLs (tried in order), account, password from stdin. */
import type { Command } from 'commander';
import { KysoError } from '../core/errors.js';
import { createTimestampClient, type TimestampClient } from '../core/tsa/index.js';
import { pinFromTerminal, stdinLine } from './pin-input.js';

export interface TsaOptions {
  tsa?: string[];
  tsaUser?: string;
  tsaPasswordStdin?: boolean;
  tsaTimeout?: string;
}

export function addTsaOptions(cmd: Command): Command {
  return cmd
    .option('--tsa <url>', 'timestamp server (TSA) URL; repeat to give fallbacks, tried in order', (v: string, prev: string[] = []) => [...prev, v])
    .option('--tsa-user <name>', 'TSA account (basic authentication)')
    .option('--tsa-password-stdin', 'read the TSA password from standard input: line 2 with --pin-stdin, otherwise line 1')
    .option('--tsa-timeout <seconds>', 'give up on a TSA after this many seconds (default 15)');
}

/** The client the flags describe, or undefined without --tsa. `passwordLine`: 0-based stdin line of the password. */
export async function timestampClientFrom(opts: TsaOptions, passwordLine: number): Promise<TimestampClient | undefined> {
  if (!opts.tsa?.length) {
    if (opts.tsaUser || opts.tsaPasswordStdin) throw new KysoError('BAD_REQUEST', '--tsa-user/--tsa-password-stdin need --tsa');
    return undefined;
  }
  let password: string | undefined;
  if (opts.tsaPasswordStdin && process.stdin.isTTY) {
    password = await pinFromTerminal('Mật khẩu máy chủ dấu thời gian / TSA password: '); // a person at a terminal: no echo
  } else if (opts.tsaPasswordStdin) {
    password = await stdinLine(passwordLine);
    if (password === undefined) throw new KysoError('BAD_REQUEST', `TSA password expected on line ${passwordLine + 1} of standard input`);
  }
  const timeout = opts.tsaTimeout !== undefined ? Number(opts.tsaTimeout) : undefined;
  if (timeout !== undefined && !(timeout > 0)) throw new KysoError('BAD_REQUEST', '--tsa-timeout takes a number of seconds');
  return createTimestampClient({
    urls: opts.tsa,
    ...(opts.tsaUser !== undefined ? { username: opts.tsaUser } : {}),
    ...(password !== undefined ? { password, username: opts.tsaUser ?? '' } : {}),
    ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
  });
}
