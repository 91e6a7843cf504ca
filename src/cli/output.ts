/** How the CLI reports failures: stable code, Vietnamese and English text, non-zero exit. */
import { toKysoError, type KysoError } from '../core/errors.js';

export const EXIT = { ok: 0, failure: 1, invalid: 2, usage: 64 } as const;

export function formatError(e: KysoError): string {
  const detail = e.detail ? `\n  (${e.detail})` : '';
  return `kyso: ${e.code}: ${e.messageVi}\n  ${e.messageEn}${detail}`;
}

/** Runs a command body; any error is printed as code + messages and mapped to exit status 1. */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? EXIT.ok;
  } catch (err) {
    process.stderr.write(`${formatError(toKysoError(err))}\n`);
    process.exitCode = EXIT.failure;
  }
}
