/** How the CLI reports failures: stable code, Vietnamese then English text, non-zero exit. */
import { toKysoError, type KysoError } from '../core/errors.js';

/**
 * Exit statuses, listed in `kyso --help` (EXIT_HELP). 2 is `kyso verify`'s "not valid" since the first
 * release, so a usage error takes 64 (sysexits EX_USAGE) rather than 2: a script must not read a typo as
 * "invalid signature".
 */
export const EXIT = { ok: 0, failure: 1, invalid: 2, usage: 64 } as const;

export const EXIT_HELP = `
Mã thoát / Exit status:
  0   thành công; verify: mọi chữ ký hợp lệ / success; verify: every signature intact
  1   thất bại, mã lỗi in ra ở stderr / failed, the error code is printed on stderr
  2   verify: có chữ ký không hợp lệ hoặc không có chữ ký / verify: a signature is invalid, or there is none
  64  câu lệnh sai (USAGE) / usage error (USAGE)`;

/** The token's PIN state after a refusal (token-service puts `pinState=…` in the detail), in words. */
const PIN_STATE_WORDS: Record<string, string> = {
  'ok': 'token không cho biết còn bao nhiêu lần thử / the token does not say how many tries are left',
  'count-low': 'còn ít lần thử trước khi token bị khoá / few tries left before the token locks',
  'final-try': 'chỉ còn MỘT lần thử: nhập sai nữa token sẽ bị khoá / only ONE try left: another wrong PIN locks the token',
  'locked': 'token đã bị khoá / the token is locked',
};

function detailText(e: KysoError): string | undefined {
  if (!e.detail) return undefined;
  const pinState = /^pinState=([a-z-]+)$/.exec(e.detail)?.[1];
  return pinState ? PIN_STATE_WORDS[pinState] ?? e.detail : e.detail;
}

export function formatError(e: KysoError): string {
  const detail = detailText(e);
  return `kyso: ${e.code}: ${e.messageVi}\n  ${e.messageEn}${detail ? `\n  (${detail})` : ''}`;
}

/** Prints the error; its exit status: USAGE 64, anything else 1. */
export function reportError(err: unknown): number {
  const e = toKysoError(err);
  process.stderr.write(`${formatError(e)}\n`);
  return e.code === 'USAGE' ? EXIT.usage : EXIT.failure;
}

/** Runs a command body; any error is printed as code + messages and mapped to its exit status. */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? EXIT.ok;
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
