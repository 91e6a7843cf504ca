/**
 * Opens one dialog page in its own window and turns the page's answer into a promise: `init()` hands the
 * page its request, `submit()` is validated by the dialog's own parser before anyone believes it, `cancel()`
 * and closing the window reject with USER_CANCELLED, and an AbortSignal (the page that asked went away)
 * closes the window. One answer per window; later calls are ignored.
 */
import { KysoError } from '../core/errors.js';
import type { DialogKind, UiLanguage } from '../ui/kit/protocol.js';
import type { DialogWindow, Shell } from './electron-api.js';
import { tr } from './i18n.js';
import { dialogUrl, dialogWindowOptions } from './window-options.js';

export interface DialogSpec<Request, Result> {
  kind: DialogKind;
  /** Checks what the page sent and shapes the result; throws on anything unexpected. */
  parse(raw: unknown, request: Request): Result;
  /** Extra calls the page may make (by name, with at most one argument it must check); anything else is refused. */
  calls?: Record<string, (arg?: unknown) => Promise<unknown>>;
}

export interface OpenOptions {
  signal?: AbortSignal;
  language: UiLanguage;
}

/** Anything that can show a dialog and wait for its answer (the real host, or a scripted one in tests). */
export interface DialogOpener {
  open<Request, Result>(spec: DialogSpec<Request, Result>, request: Request, options: OpenOptions): Promise<Result>;
  /** Brings the open windows (of one kind) to the front. */
  focus?(kind?: DialogKind): void;
}

export function abortError(signal: AbortSignal): KysoError {
  const reason: unknown = signal.reason;
  if (reason instanceof KysoError) return reason;
  return new KysoError('USER_CANCELLED', 'the request was withdrawn');
}

export class DialogHost implements DialogOpener {
  private readonly openWindows = new Map<DialogWindow, DialogKind>();

  constructor(
    private readonly shell: Shell,
    private readonly files: { preload: string; icon?: string },
  ) {}

  open<Request, Result>(spec: DialogSpec<Request, Result>, request: Request, options: OpenOptions): Promise<Result> {
    const { signal, language } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Result>((resolve, reject) => {
      let settled = false;
      let window: DialogWindow | undefined;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        outcome();
        window?.close();
      };
      const onAbort = (): void => settle(() => reject(abortError(signal!)));
      window = this.shell.openWindow({
        kind: spec.kind,
        url: dialogUrl(spec.kind),
        options: dialogWindowOptions({
          kind: spec.kind,
          title: tr(language, `title.${spec.kind}`),
          preload: this.files.preload,
          platform: this.shell.platform,
          ...(this.files.icon ? { icon: this.files.icon } : {}),
        }),
        handlers: {
          init: () => request,
          submit: (raw) => {
            let result: Result;
            try {
              result = spec.parse(raw, request);
            } catch (e) {
              settle(() => reject(new KysoError('INTERNAL', `the ${spec.kind} dialog answered with invalid data: ${e instanceof Error ? e.message : String(e)}`)));
              return;
            }
            settle(() => resolve(result));
          },
          cancel: () => settle(() => reject(new KysoError('USER_CANCELLED'))),
          call: async (method, arg) => {
            const fn = spec.calls?.[method];
            if (!fn || settled) throw new KysoError('BAD_REQUEST', `the ${spec.kind} dialog has no call ${method}`);
            return fn(arg);
          },
        },
      });
      const shown = window;
      this.openWindows.set(shown, spec.kind);
      shown.onClosed(() => {
        this.openWindows.delete(shown);
        settle(() => reject(new KysoError('USER_CANCELLED', 'the window was closed')));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      shown.present();
    });
  }

  focus(kind?: DialogKind): void {
    for (const [w, k] of this.openWindows) if (kind === undefined || k === kind) w.present();
  }
}
