/**
 * The Prompter the agent calls, answered with Kyso windows: each question waits its turn in the PromptQueue,
 * opens its own window (dialogs/*), and turns the page's validated answer into what the agent expects.
 * Nothing here touches a token: the PIN goes back to the token layer, which uses it once.
 */
import { KysoError } from '../core/errors.js';
import { readChosenFile } from '../agent/prompters/chosen-file.js';
import type { PlacementRequest } from '../ui/bridge.js';
import type { UiLanguage } from '../ui/kit/protocol.js';
import type { DialogOpener } from './dialog-host.js';
import { approvalDialog, approvalView } from './dialogs/approval.js';
import { certificateDialog, certificateView } from './dialogs/certificate.js';
import { confirmDialog } from './dialogs/confirm.js';
import { consentDialog } from './dialogs/consent.js';
import { pinDialog } from './dialogs/pin.js';
import { placementDialog } from './dialogs/placement.js';
import type { PinCache } from './pin-cache.js';
import type { PromptQueue } from './prompt-queue.js';
import type {
  ApprovalNotice, SecretRequest, ChosenFile, ConfirmRequest, FileRequest, PinRequest, PlacementChoice, PlacementDefaults, PlacementDocument, PromptOptions, Prompter, SigningCertificate,
} from './prompter-types.js';
import type { AppSettings } from './settings.js';

export interface ElectronPrompterDeps {
  dialogs: DialogOpener;
  queue: PromptQueue;
  pinCache: PinCache;
  settings: () => AppSettings;
  /** Keeps the user's placement choice as the next defaults. */
  rememberPlacement?: (choice: PlacementChoice) => void;
  /** The OS file picker with this title; null when cancelled. Without it a site asking for a file gets nothing. */
  pickFile?: (title: string) => Promise<string | null>;
  now?: () => Date;
}

export class ElectronPrompter implements Prompter {
  constructor(private readonly deps: ElectronPrompterDeps) {}

  private get language(): UiLanguage {
    return this.deps.settings().language;
  }

  /** Runs one dialog in its turn. */
  private ask<T>(signal: AbortSignal | undefined, show: () => Promise<T>): Promise<T> {
    return this.deps.queue.run(show, signal);
  }

  async consent(origin: string, options: PromptOptions = {}): Promise<boolean> {
    const signal = options.signal;
    const r = await this.ask(signal, () => userNo(signal, this.deps.dialogs.open(consentDialog, { origin, language: this.language }, { language: this.language, ...(signal ? { signal } : {}) }), { allow: false }));
    return r.allow;
  }

  async chooseCertificate(origin: string, list: readonly SigningCertificate[], options: PromptOptions = {}): Promise<SigningCertificate> {
    if (list.length === 0) throw new KysoError('NO_CERTIFICATE');
    const signal = options.signal;
    const now = (this.deps.now ?? (() => new Date()))();
    const certificates = list.map((c) => certificateView(c, now));
    const r = await this.ask(signal, () => this.deps.dialogs.open(certificateDialog, { origin, certificates, language: this.language }, { language: this.language, ...(signal ? { signal } : {}) }));
    const chosen = list.find((c) => c.id === r.certificateId);
    if (!chosen) throw new KysoError('CERTIFICATE_NOT_FOUND');
    return chosen;
  }

  async pin(request: PinRequest, options: PromptOptions = {}): Promise<string> {
    const { token, certificate, pinState } = request;
    const cache = this.deps.pinCache;
    cache.configure(this.deps.settings().pinCacheMinutes);
    const cached = cache.get(token.id, pinState);
    if (cached !== undefined) return cached;
    const signal = options.signal;
    const dialogRequest = {
      token: token.label,
      ...(certificate.info.subject.commonName ? { holder: certificate.info.subject.commonName } : {}),
      pinState,
      cacheMinutes: cache.enabledMinutes,
      language: this.language,
    };
    if (pinState === 'locked') {
      // Say so in a window, take no PIN.
      await this.ask(signal, () => this.deps.dialogs.open(pinDialog, dialogRequest, { language: this.language, ...(signal ? { signal } : {}) })).catch(() => undefined);
      throw new KysoError('PIN_LOCKED');
    }
    const r = await this.ask(signal, () => this.deps.dialogs.open(pinDialog, dialogRequest, { language: this.language, ...(signal ? { signal } : {}) }));
    if (r.remember) cache.put(token.id, r.pin);
    return r.pin;
  }

  /** The token refused the PIN: a kept copy must never be tried again (tokens lock after a few tries). */
  pinRejected(request: PinRequest): void {
    this.deps.pinCache.forget(request.token.id);
  }

  async confirm(request: ConfirmRequest, options: PromptOptions = {}): Promise<boolean> {
    const signal = options.signal;
    const now = (this.deps.now ?? (() => new Date()))();
    const dialogRequest = {
      origin: request.origin,
      documents: request.documents.map((d) => ({ fileName: d.fileName, size: d.size })),
      certificate: certificateView(request.certificate, now),
      ...(request.approvals !== undefined ? { approvals: request.approvals } : {}),
      language: this.language,
    };
    const r = await this.ask(signal, () => userNo(signal, this.deps.dialogs.open(confirmDialog, dialogRequest, { language: this.language, ...(signal ? { signal } : {}) }), { confirmed: false }));
    return r.confirmed;
  }

  /**
   * The phone is asked: a window saying so, at once (not in the questions' turn: the provider's clock runs). It
   * closes when the agent aborts `options.signal`; Cancel or closing it rejects USER_CANCELLED, which the agent
   * turns into stopping the remote operation.
   */
  async approval(notice: ApprovalNotice, options: PromptOptions): Promise<void> {
    const signal = options.signal;
    await this.deps.dialogs.open(approvalDialog, approvalView(notice, this.language), { language: this.language, ...(signal ? { signal } : {}) });
  }

  /**
   * A remote service's secret (the account's password…), in the PIN window's masked field with the provider and
   * account named; never cached, whatever the PIN cache setting.
   */
  async remoteSecret(request: SecretRequest, options: PromptOptions = {}): Promise<string> {
    const signal = options.signal;
    const dialogRequest = {
      token: request.provider.name,
      holder: request.account.label,
      pinState: 'ok' as const,
      cacheMinutes: 0,
      remote: { secret: request.kind, provider: request.provider.name, account: request.account.label, ...(request.label ? { label: request.label } : {}) },
      language: this.language,
    };
    const r = await this.ask(signal, () => this.deps.dialogs.open(pinDialog, dialogRequest, { language: this.language, ...(signal ? { signal } : {}) }));
    return r.pin;
  }

  /** The OS file picker, in its turn, titled with the site that asks (VNPT plugin pages' chooseFile). */
  async chooseFile(request: FileRequest, options: PromptOptions = {}): Promise<ChosenFile> {
    const pick = this.deps.pickFile;
    if (!pick) throw new KysoError('USER_CANCELLED', 'no file picker');
    const title = this.language === 'vi' ? `Kyso: ${request.origin} xin một tệp` : `Kyso: ${request.origin} asks for a file`;
    const file = await this.ask(options.signal, () => pick(title));
    if (file === null) throw new KysoError('USER_CANCELLED');
    return readChosenFile(file, request);
  }

  async placement(document: PlacementDocument, defaults: PlacementDefaults, options: PromptOptions = {}): Promise<PlacementChoice> {
    const signal = options.signal;
    const settings = this.deps.settings();
    const remembered = settings.lastPlacement;
    const request: PlacementRequest = {
      document: Buffer.from(document.bytes.buffer, document.bytes.byteOffset, document.bytes.byteLength).toString('base64'),
      fileName: document.fileName,
      origin: document.origin,
      signer: document.signer,
      ...(document.reason ? { reason: document.reason } : {}),
      ...(document.location ? { location: document.location } : {}),
      language: this.language,
      defaults: {
        // The portal's request first, else what the user chose last time, else the settings' appearance.
        ...((defaults.placement ?? remembered?.placement) ? { placement: (defaults.placement ?? remembered?.placement)! } : {}),
        appearance: defaults.appearance ?? remembered?.appearance ?? settings.appearance,
      },
    };
    const choice = await this.ask(signal, () => this.deps.dialogs.open(placementDialog, request, { language: this.language, ...(signal ? { signal } : {}) }));
    this.deps.rememberPlacement?.(choice);
    return choice;
  }
}

/**
 * For the yes/no questions: the user cancelling or closing the window is a "no". A request withdrawn by the
 * agent (abort) or by Kyso quitting stays an error: nobody answered.
 */
async function userNo<T>(signal: AbortSignal | undefined, shown: Promise<T>, no: T): Promise<T> {
  try {
    return await shown;
  } catch (e) {
    if (e instanceof KysoError && e.code === 'USER_CANCELLED' && !signal?.aborted) return no;
    throw e;
  }
}
