/**
 * The Prompter of `kyso serve`: questions on the terminal (stderr), answers from the keyboard. One question at
 * a time, whoever asks. The PIN is read with echo off. Without a terminal (stdin not a TTY) nothing can be
 * asked, so the safe answer is given: no consent, no confirmation, no certificate, no PIN.
 */
import { createInterface } from 'node:readline';
import { KysoError } from '../../core/errors.js';
import type { ApprovalNotice, SecretRequest, ChosenFile, ConfirmRequest, FileRequest, PinRequest, PromptOptions, Prompter, SigningCertificate } from '../prompter.js';
import { keyLocation } from '../signing-certificate.js';
import { approvalLines } from '../approval-text.js';
import { readChosenFile } from './chosen-file.js';

export interface TerminalStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

const PIN_STATE_TEXT: Record<string, string> = {
  'count-low': ' (cảnh báo: còn ít lần thử / few tries left)',
  'final-try': ' (LẦN THỬ CUỐI / FINAL TRY: a wrong PIN locks the token)',
};

function describeCertificate(c: SigningCertificate): string {
  const s = c.info.subject;
  const ids = Object.entries(s.identifiers).map(([k, v]) => `${k}:${v}`).join(' ');
  const where = keyLocation(c);
  return `${s.commonName ?? '?'}${s.organization ? ` — ${s.organization}` : ''}${ids ? ` [${ids}]` : ''}; CA: ${c.info.issuer.commonName ?? '?'}; ` +
    `hết hạn/expires ${c.info.notAfter.toISOString().slice(0, 10)}; ${where.vi === where.en ? where.vi : `${where.vi} / ${where.en}`}`;
}

/** What an aborted question rejects with: the request's own reason (TIMEOUT…) or USER_CANCELLED. */
function abortError(signal: AbortSignal): KysoError {
  return signal.reason instanceof KysoError ? signal.reason : new KysoError('USER_CANCELLED');
}

export class TerminalPrompter implements Prompter {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly streams: TerminalStreams = { input: process.stdin, output: process.stderr }) {}

  private get interactive(): boolean {
    return this.streams.input.isTTY === true;
  }

  /** Runs one question after the other. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private say(text: string): void {
    this.streams.output.write(`${text}\n`);
  }

  /**
   * The request behind the question on screen went away (the page cancelled or closed, or it timed out): the
   * half-typed line is wiped and the person told, so nobody types a PIN into a question nobody waits for.
   */
  private abandoned(): void {
    const tty = (this.streams.output as { isTTY?: boolean }).isTTY === true;
    this.streams.output.write(`${tty ? '\r\u001b[2K' : '\n'}(yêu cầu đã bị huỷ hoặc hết hạn, không cần trả lời nữa / request cancelled or timed out, no answer needed)\n`);
  }

  private ask(question: string, signal: AbortSignal | undefined): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const rl = createInterface({ input: this.streams.input, output: this.streams.output, terminal: false });
      const onAbort = (): void => {
        rl.close();
        this.abandoned();
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      rl.question(question, (line) => {
        signal?.removeEventListener('abort', onAbort);
        rl.close();
        resolve(line.trim());
      });
    });
  }

  private async yesNo(question: string, signal: AbortSignal | undefined): Promise<boolean> {
    const a = (await this.ask(`${question} [c/N] (có/yes) `, signal)).toLowerCase();
    return a === 'c' || a === 'có' || a === 'co' || a === 'y' || a === 'yes';
  }

  consent(origin: string, options: PromptOptions = {}): Promise<boolean> {
    if (!this.interactive) {
      this.say(`kyso: ${origin} xin dùng chữ ký số; không có terminal để hỏi nên từ chối / asks to use your signature; no terminal to ask, refused`);
      return Promise.resolve(false);
    }
    return this.exclusive(() => {
      this.say(`\n=== Kyso ===\nTrang web ${origin} muốn dùng chữ ký số (USB token) của bạn.\nThe website ${origin} wants to use your digital signature (USB token).`);
      return this.yesNo('Cho phép trang này? / Allow this site?', options.signal);
    });
  }

  chooseCertificate(origin: string, list: readonly SigningCertificate[], options: PromptOptions = {}): Promise<SigningCertificate> {
    if (list.length === 0) return Promise.reject(new KysoError('NO_CERTIFICATE'));
    if (!this.interactive) return Promise.reject(new KysoError('USER_CANCELLED', 'no terminal to choose a certificate'));
    return this.exclusive(async () => {
      this.say(`\n=== Kyso ===\n${origin}: chọn chứng thư số để ký / choose the certificate to sign with:`);
      list.forEach((c, i) => this.say(`  ${i + 1}. ${describeCertificate(c)}`));
      const a = await this.ask(`Số / number (1-${list.length}, Enter = huỷ/cancel): `, options.signal);
      const n = Number.parseInt(a, 10);
      const chosen = Number.isInteger(n) ? list[n - 1] : undefined;
      if (!chosen) throw new KysoError('USER_CANCELLED');
      return chosen;
    });
  }

  confirm(request: ConfirmRequest, options: PromptOptions = {}): Promise<boolean> {
    if (!this.interactive) return Promise.resolve(false);
    return this.exclusive(() => {
      this.say(`\n=== Kyso: xác nhận ký số / confirm signature ===\nTrang web / site: ${request.origin}`);
      for (const d of request.documents) this.say(`Tài liệu / document: ${d.fileName} (${d.size} bytes)`);
      this.say(`Chứng thư số / certificate: ${describeCertificate(request.certificate)}`);
      if (request.approvals !== undefined && request.approvals > 1) {
        this.say(`Cần xác nhận ${request.approvals} lần trên điện thoại / needs ${request.approvals} approvals on the phone`);
      }
      return this.yesNo('Ký tài liệu này? / Sign it?', options.signal);
    });
  }

  chooseFile(request: FileRequest, options: PromptOptions = {}): Promise<ChosenFile> {
    if (!this.interactive) return Promise.reject(new KysoError('USER_CANCELLED', 'no terminal to choose a file'));
    return this.exclusive(async () => {
      this.say(`\n=== Kyso ===\nTrang web ${request.origin} xin một tệp (chỉ thấy tên và nội dung) / asks for a file (it sees only its name and content).`);
      const file = await this.ask('Đường dẫn tệp / file path (Enter = huỷ/cancel): ', options.signal);
      if (!file) throw new KysoError('USER_CANCELLED');
      return readChosenFile(file, request);
    });
  }

  /**
   * Tells the person to approve on the phone. Not one of the questions taken in turn: the phone is asked now,
   * whatever else waits. With a terminal, Enter presses Cancel.
   */
  approval(notice: ApprovalNotice, options: PromptOptions): Promise<void> {
    this.say(`\n=== Kyso: ký số từ xa / remote signing ===\n${approvalLines(notice).join('\n')}`);
    if (!this.interactive) return new Promise<void>(() => undefined);
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return resolve();
      const rl = createInterface({ input: this.streams.input, output: this.streams.output, terminal: false });
      // Closed by the agent (approved, declined, expired): no answer is needed any more.
      const onAbort = (): void => { rl.close(); resolve(); };
      signal?.addEventListener('abort', onAbort, { once: true });
      rl.question('Enter = huỷ / cancel ', () => {
        signal?.removeEventListener('abort', onAbort);
        rl.close();
        reject(new KysoError('USER_CANCELLED', 'cancelled at the terminal while waiting for the phone'));
      });
    });
  }

  /** A remote service's secret, read with echo off like a PIN; never kept. */
  remoteSecret(request: SecretRequest, options: PromptOptions = {}): Promise<string> {
    if (!this.interactive || !this.streams.input.setRawMode) return Promise.reject(new KysoError('REMOTE_AUTH_FAILED', 'no terminal to ask for the password'));
    const what = request.kind === 'password' ? 'Mật khẩu / password' : request.kind === 'client-secret' ? 'Mã bí mật / client secret' : `${request.label ?? 'PIN'}`;
    return this.exclusive(() => this.readSecret(`${request.provider.name} — ${request.account.label}: ${what}: `, options.signal));
  }

  pin(request: PinRequest, options: PromptOptions = {}): Promise<string> {
    if (request.pinState === 'locked') return Promise.reject(new KysoError('PIN_LOCKED'));
    if (!this.interactive || !this.streams.input.setRawMode) return Promise.reject(new KysoError('PIN_REQUIRED', 'no terminal to ask for the PIN'));
    return this.exclusive(() => this.readSecret(`Mã PIN của token "${request.token.label}"${PIN_STATE_TEXT[request.pinState] ?? ''} / PIN: `, options.signal));
  }

  /** Reads a line with echo off. Ctrl-C or Esc cancels. */
  private readSecret(prompt: string, signal: AbortSignal | undefined): Promise<string> {
    const input = this.streams.input;
    return new Promise<string>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      // Echo off before the prompt shows: a person who types as soon as it appears is never echoed.
      input.setRawMode!(true);
      this.streams.output.write(prompt);
      let secret = '';
      input.resume();
      const finish = (err?: KysoError, aborted = false): void => {
        input.setRawMode!(false);
        input.pause();
        input.off('data', onData);
        signal?.removeEventListener('abort', onAbort);
        secret = aborted ? '' : secret;
        if (aborted) this.abandoned(); else this.streams.output.write('\n');
        if (err) reject(err); else resolve(secret);
      };
      const onAbort = (): void => finish(abortError(signal!), true);
      const onData = (chunk: Buffer | string): void => {
        for (const ch of chunk.toString()) {
          if (ch === '\r' || ch === '\n') return finish();
          if (ch === '\u0003' || ch === '\u001b') return finish(new KysoError('USER_CANCELLED'));
          if (ch === '\u007f' || ch === '\b') secret = secret.slice(0, -1);
          else secret += ch;
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      input.on('data', onData);
    });
  }
}
