/** How the CLI reports failures: stable code, Vietnamese then English text, non-zero exit. */
import { toKysoError, type KysoError } from '../core/errors.js';

/**
 * Exit statuses, listed in `kyso --help` (EXIT_HELP). `kyso verify` has its own (0 valid and trusted, 1 invalid or
 * changed, 2 unreadable, 3 untrusted: commands/verify.ts); a usage error elsewhere takes 64 (sysexits EX_USAGE).
 */
export const EXIT = { ok: 0, failure: 1, usage: 64 } as const;

export const EXIT_HELP = `
Mã thoát / Exit status:
  0   thành công; verify: mọi chữ ký hợp lệ và tin cậy / success; verify: every signature intact and trusted
  1   thất bại, mã lỗi in ra ở stderr; verify: chữ ký hỏng, tài liệu bị sửa sau khi ký, hoặc không có chữ ký
      / failed, the error code is printed on stderr; verify: a broken signature, a change after signing, or none
  2   verify: không đọc được tệp hoặc câu lệnh sai / verify: unreadable file or usage error
  3   verify: nguyên vẹn nhưng chứng thư chưa tin cậy / verify: intact, but a certificate is not trusted
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
