/**
 * Reads a PIN for the CLI: from the terminal with echo off, or the first line of standard input
 * (`--pin-stdin`, for scripts). The PIN is returned to the token layer and not kept anywhere.
 */
import { KysoError } from '../core/errors.js';

/** First line of stdin, read once; later calls get the same promise (one PIN per process). */
let stdinLine: Promise<string> | undefined;
export function pinFromStdin(): Promise<string> {
  stdinLine ??= new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) { done(); resolve(buf.slice(0, nl).replace(/\r$/, '')); }
    };
    const onEnd = (): void => { done(); buf ? resolve(buf.replace(/\r?\n?$/, '')) : reject(new KysoError('PIN_REQUIRED', 'standard input is empty')); };
    const done = (): void => { process.stdin.off('data', onData); process.stdin.off('end', onEnd); process.stdin.pause(); };
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
    process.stdin.resume();
  });
  return stdinLine;
}

/** Prompts on the terminal without echo. Ctrl-C cancels with USER_CANCELLED. */
export function pinFromTerminal(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new KysoError('PIN_REQUIRED', 'no terminal: use --pin-stdin'));
  return new Promise<string>((resolve, reject) => {
    process.stderr.write(prompt);
    let pin = '';
    stdin.setRawMode(true);
    stdin.resume();
    const finish = (err?: KysoError): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err); else resolve(pin);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u001b') return finish(new KysoError('USER_CANCELLED'));
        if (ch === '\u007f' || ch === '\b') pin = pin.slice(0, -1);
        else pin += ch;
      }
    };
    stdin.on('data', onData);
  });
}
