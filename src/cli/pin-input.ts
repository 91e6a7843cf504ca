/**
 * Reads a PIN for the CLI: from the terminal with echo off, or the first line of standard input
 * (`--pin-stdin`, for scripts). The PIN is returned to the token layer and not kept anywhere.
 * Other secrets (a TSA password) come from the following lines, see stdinLine.
 */
import { KysoError } from '../core/errors.js';

/**
 * Standard input as numbered lines, read once and as far as needed (a script may keep the pipe open).
 * Scripts pass secrets this way: line 1 the PIN (--pin-stdin), then the TSA password (--tsa-password-stdin).
 */
const stdin = { buf: '', lines: [] as string[], ended: false, listening: false, waiters: [] as { n: number; resolve: (s: string | undefined) => void }[] };

function settle(): void {
  stdin.waiters = stdin.waiters.filter((w) => {
    if (w.n < stdin.lines.length) { w.resolve(stdin.lines[w.n]); return false; }
    if (stdin.ended) { w.resolve(undefined); return false; }
    return true;
  });
  if (stdin.waiters.length === 0 && stdin.listening) {
    stdin.listening = false;
    process.stdin.off('data', onData);
    process.stdin.off('end', onEnd);
    process.stdin.pause();
  }
}

function onData(chunk: Buffer | string): void {
  stdin.buf += chunk.toString();
  for (let nl = stdin.buf.indexOf('\n'); nl >= 0; nl = stdin.buf.indexOf('\n')) {
    stdin.lines.push(stdin.buf.slice(0, nl).replace(/\r$/, ''));
    stdin.buf = stdin.buf.slice(nl + 1);
  }
  settle();
}

function onEnd(): void {
  if (stdin.buf) stdin.lines.push(stdin.buf.replace(/\r$/, ''));
  stdin.buf = '';
  stdin.ended = true;
  settle();
}

/** Line `n` (0-based) of standard input; undefined when input ends before it. */
export function stdinLine(n: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    stdin.waiters.push({ n, resolve });
    if (!stdin.listening && !stdin.ended) {
      stdin.listening = true;
      process.stdin.on('data', onData);
      process.stdin.on('end', onEnd);
      process.stdin.resume();
    }
    settle();
  });
}

/**
 * The PIN: the first line of stdin (one PIN per process). When stdin is a terminal a person is typing it, and a
 * line read there would be echoed: it is read with echo off instead, after `prompt`.
 */
export async function pinFromStdin(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return pinFromTerminal(prompt);
  const line = await stdinLine(0);
  if (line === undefined) throw new KysoError('PIN_REQUIRED', 'standard input is empty');
  return line;
}

/** Prompts on the terminal without echo. Ctrl-C cancels with USER_CANCELLED. */
export function pinFromTerminal(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new KysoError('PIN_REQUIRED', 'không có terminal để hỏi mã PIN / no terminal to ask for the PIN: use --pin-stdin with --token or --cert'));
  return new Promise<string>((resolve, reject) => {
    // Echo off before the prompt shows: a person who types as soon as it appears is never echoed.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    let pin = '';
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
