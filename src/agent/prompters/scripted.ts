/**
 * Prompters that answer without a person:
 * - `ScriptedPrompter`: every answer given in advance (tests). It records what it was asked, never the PIN.
 * - `PreGrantedPrompter`: what `kyso serve --trust-origin ORIGIN… --pin-stdin` sets up on a machine the user
 *   controls. Consent and confirmation are pre-granted for the listed origins only; the PIN read once from
 *   standard input is kept in memory and forgotten as soon as the token refuses it (a stored wrong PIN must
 *   not lock the token by repetition). Everything else goes to the fallback prompter (the terminal).
 * Nothing a page sends can change either: they are built from the command line, before the agent listens.
 */
import { KysoError } from '../../core/errors.js';
import type { ApprovalNotice, SecretRequest, ChosenFile, ConfirmRequest, FileRequest, PinRequest, PlacementChoice, PlacementDefaults, PlacementDocument, PromptOptions, Prompter, SigningCertificate } from '../prompter.js';
import { abortable } from '../abortable.js';

type Answer<A extends unknown[], R> = R | ((...args: [...A, AbortSignal | undefined]) => R | Promise<R>);

export interface ScriptedAnswers {
  consent?: Answer<[origin: string], boolean>;
  /** A certificate id, or a function choosing one. Default: the first of the list. */
  chooseCertificate?: Answer<[origin: string, list: readonly SigningCertificate[]], string | SigningCertificate>;
  pin?: Answer<[request: PinRequest], string>;
  confirm?: Answer<[request: ConfirmRequest], boolean>;
  placement?: Answer<[document: PlacementDocument, defaults: PlacementDefaults], PlacementChoice>;
  /** The file the "user" picks; none: the window is closed (USER_CANCELLED). */
  chooseFile?: Answer<[request: FileRequest], ChosenFile>;
  /**
   * The approval window: 'wait' (default) stays open until the agent closes it; 'cancel' presses Cancel at once;
   * a function may press it later by rejecting.
   */
  approval?: 'wait' | 'cancel' | ((notice: ApprovalNotice, signal: AbortSignal | undefined) => Promise<void>);
  /** A remote service's secret; none: the window is closed (USER_CANCELLED). */
  remoteSecret?: Answer<[request: SecretRequest], string>;
}

export type PromptCall =
  | { kind: 'consent'; origin: string }
  | { kind: 'chooseCertificate'; origin: string; ids: string[] }
  | { kind: 'pin'; token: string; certificateId: string; pinState: string }
  | { kind: 'confirm'; origin: string; documents: Array<{ fileName: string; size: number }>; certificateId: string; approvals?: number }
  | { kind: 'placement'; origin: string; fileName: string }
  | { kind: 'chooseFile'; origin: string }
  | { kind: 'pinRejected'; token: string }
  | { kind: 'approval'; certificateId: string; provider: string; documents: number; approval: { index: number; of: number }; code?: string }
  | { kind: 'approvalClosed' }
  | { kind: 'remoteSecret'; secret: SecretRequest['kind']; provider: string; account: string };

async function answer<A extends unknown[], R>(a: Answer<A, R> | undefined, fallback: R | undefined, args: A, signal: AbortSignal | undefined): Promise<R> {
  if (a === undefined) {
    if (fallback === undefined) throw new KysoError('USER_CANCELLED', 'no scripted answer');
    return fallback;
  }
  const value = typeof a === 'function' ? (a as (...x: unknown[]) => R | Promise<R>)(...args, signal) : a;
  return abortable(value, signal);
}

export class ScriptedPrompter implements Prompter {
  readonly calls: PromptCall[] = [];

  constructor(public answers: ScriptedAnswers = {}) {}

  count(kind: PromptCall['kind']): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  consent(origin: string, options: PromptOptions = {}): Promise<boolean> {
    this.calls.push({ kind: 'consent', origin });
    return answer(this.answers.consent, false, [origin], options.signal);
  }

  async chooseCertificate(origin: string, list: readonly SigningCertificate[], options: PromptOptions = {}): Promise<SigningCertificate> {
    this.calls.push({ kind: 'chooseCertificate', origin, ids: list.map((c) => c.id) });
    const chosen = await answer<[string, readonly SigningCertificate[]], string | SigningCertificate>(this.answers.chooseCertificate, list[0], [origin, list], options.signal);
    const id = typeof chosen === 'string' ? chosen : chosen.id;
    const found = list.find((c) => c.id === id);
    if (!found) throw new KysoError('CERTIFICATE_NOT_FOUND');
    return found;
  }

  pin(request: PinRequest, options: PromptOptions = {}): Promise<string> {
    this.calls.push({ kind: 'pin', token: request.token.label, certificateId: request.certificate.id, pinState: request.pinState });
    return answer(this.answers.pin, undefined, [request], options.signal);
  }

  confirm(request: ConfirmRequest, options: PromptOptions = {}): Promise<boolean> {
    this.calls.push({
      kind: 'confirm', origin: request.origin, documents: request.documents.map((d) => ({ ...d })), certificateId: request.certificate.id,
      ...(request.approvals !== undefined ? { approvals: request.approvals } : {}),
    });
    return answer(this.answers.confirm, false, [request], options.signal);
  }

  placement(document: PlacementDocument, defaults: PlacementDefaults, options: PromptOptions = {}): Promise<PlacementChoice> {
    this.calls.push({ kind: 'placement', origin: document.origin, fileName: document.fileName });
    return answer(this.answers.placement, undefined, [document, defaults], options.signal);
  }

  chooseFile(request: FileRequest, options: PromptOptions = {}): Promise<ChosenFile> {
    this.calls.push({ kind: 'chooseFile', origin: request.origin });
    return answer(this.answers.chooseFile, undefined, [request], options.signal);
  }

  pinRejected(request: PinRequest): void {
    this.calls.push({ kind: 'pinRejected', token: request.token.label });
  }

  remoteSecret(request: SecretRequest, options: PromptOptions = {}): Promise<string> {
    this.calls.push({ kind: 'remoteSecret', secret: request.kind, provider: request.provider.id, account: request.account.id });
    return answer(this.answers.remoteSecret, undefined, [request], options.signal);
  }

  approval(notice: ApprovalNotice, options: PromptOptions = {}): Promise<void> {
    const { certificate: c, documents, approval, code } = notice;
    this.calls.push({ kind: 'approval', certificateId: c.id, provider: c.provider.id, documents, approval: { ...approval }, ...(code !== undefined ? { code } : {}) });
    const signal = options.signal;
    signal?.addEventListener('abort', () => this.calls.push({ kind: 'approvalClosed' }), { once: true });
    const a = this.answers.approval ?? 'wait';
    if (a === 'cancel') return Promise.reject(new KysoError('USER_CANCELLED', 'the user pressed Cancel while waiting for the phone'));
    // 'wait': open until the agent closes it (the settled promise is then ignored).
    return a === 'wait' ? abortable(new Promise<void>(() => undefined), signal) : abortable(a(notice, signal), signal);
  }
}

export interface PreGrantOptions {
  /** Origins whose consent and per-signature confirmation are granted without asking. */
  trustedOrigins?: readonly string[];
  /** The PIN read once from standard input; kept in memory only. */
  pin?: string;
  /** The token (TokenSummary.id) `pin` belongs to: it is never offered to another token. */
  pinToken?: string;
  /** Asked for everything not pre-granted. */
  fallback: Prompter;
}

export class PreGrantedPrompter implements Prompter {
  private readonly trusted: ReadonlySet<string>;
  private storedPin: string | undefined;

  constructor(private readonly options: PreGrantOptions) {
    this.trusted = new Set(options.trustedOrigins ?? []);
    this.storedPin = options.pin;
  }

  /** Whether a PIN is still held. */
  get hasPin(): boolean {
    return this.storedPin !== undefined;
  }

  consent(origin: string, options?: PromptOptions): Promise<boolean> {
    return this.trusted.has(origin) ? Promise.resolve(true) : this.options.fallback.consent(origin, options);
  }

  chooseCertificate(origin: string, list: readonly SigningCertificate[], options?: PromptOptions): Promise<SigningCertificate> {
    if (this.trusted.has(origin) && list.length === 1) return Promise.resolve(list[0]!);
    return this.options.fallback.chooseCertificate(origin, list, options);
  }

  pin(request: PinRequest, options?: PromptOptions): Promise<string> {
    const forThisToken = this.options.pinToken === undefined || this.options.pinToken === request.token.id;
    if (this.storedPin !== undefined && forThisToken) return Promise.resolve(this.storedPin);
    return this.options.fallback.pin(request, options);
  }

  confirm(request: ConfirmRequest, options?: PromptOptions): Promise<boolean> {
    return this.trusted.has(request.origin) ? Promise.resolve(true) : this.options.fallback.confirm(request, options);
  }

  placement(document: PlacementDocument, defaults: PlacementDefaults, options?: PromptOptions): Promise<PlacementChoice> {
    const f = this.options.fallback;
    if (!f.placement) return Promise.reject(new KysoError('USER_CANCELLED', 'no way to ask for a placement'));
    return f.placement(document, defaults, options);
  }

  chooseFile(request: FileRequest, options?: PromptOptions): Promise<ChosenFile> {
    const f = this.options.fallback;
    if (!f.chooseFile) return Promise.reject(new KysoError('USER_CANCELLED', 'no way to ask for a file'));
    return f.chooseFile(request, options);
  }

  approval(notice: ApprovalNotice, options: PromptOptions): Promise<void> {
    // The phone's approval is the person's own act: nothing here can grant it, so the fallback shows the notice.
    const f = this.options.fallback;
    return f.approval ? f.approval(notice, options) : abortable(new Promise<void>(() => undefined), options.signal);
  }

  remoteSecret(request: SecretRequest, options?: PromptOptions): Promise<string> {
    const f = this.options.fallback;
    if (!f.remoteSecret) return Promise.reject(new KysoError('REMOTE_AUTH_FAILED', 'no way to ask for the password'));
    return f.remoteSecret(request, options);
  }

  pinRejected(request: PinRequest): void {
    if (this.options.pinToken === undefined || this.options.pinToken === request.token.id) this.storedPin = undefined;
    this.options.fallback.pinRejected?.(request);
  }
}
