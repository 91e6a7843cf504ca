/**
 * The tray app's controller: starts the agent with our Prompter, keeps the tray's state machine fed (agent
 * status, tokens, waiting prompts, allowed sites), answers the tray menu, runs the settings window and applies
 * what it returns (restarting the agent when the port, modules, TSA or log level change), opens the window that
 * verifies a signed document (the check runs here, in core, never in the page), and forgets cached
 * PINs whenever the computer locks or sleeps. Plain TypeScript over the Shell interface.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isKysoError, KysoError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/atomic-write.js';
import { verifyDocument, type DocumentVerification } from '../core/verify-document.js';
import { builtInAnchors } from '../core/validation/trust.js';
import type { SettingsDialogRequest, UiLanguage } from '../ui/kit/protocol.js';
import type { AgentRuntime, AgentStartOptions } from './agent-runtime.js';
import { isAutostartEnabled, setAutostart, type AutostartFs } from './autostart.js';
import type { LocalCertificate } from './local-certificate.js';
import type { DialogOpener } from './dialog-host.js';
import { certificateView } from './dialogs/certificate.js';
import { settingsDialog } from './dialogs/settings.js';
import { applyRemoteChange, remoteAccountsView, type RemoteAccounts } from './remote-accounts.js';
import { MAX_VERIFY_BYTES, verifyDialog } from './dialogs/verify.js';
import type { Shell, TrayAction } from './electron-api.js';
import { ElectronPrompter } from './electron-prompter.js';
import { tr } from './i18n.js';
import { PinCache } from './pin-cache.js';
import { PromptQueue } from './prompt-queue.js';
import { MAX_ANCHOR_FILE_BYTES, PIN_CACHE_CHOICES, settingsAnchors, type AppSettings, type SettingsStore, type StoredTrustAnchor } from './settings.js';
import { certificateDetails, initialTrayState, reduceTray, trayView, type TrayEvent, type TrayState, type TrayToken } from './tray-state.js';

export interface TrayAppDeps {
  shell: Shell;
  agent: AgentRuntime;
  settings: SettingsStore;
  dialogs: DialogOpener;
  pinCache?: PinCache;
  queue?: PromptQueue;
  autostartFs?: AutostartFs;
  /** The loopback certificate shown (and re-installable) in the settings window. */
  localCertificate?: LocalCertificate;
  /** Runtime versions for the "installed version" box. */
  versions?: { electron?: string; node?: string; chrome?: string };
  now?: () => Date;
  /** Remote signing accounts (Settings → "Chữ ký số từ xa"); absent: the section is not shown. */
  remoteAccounts?: RemoteAccounts;
  /** How the verify window checks a document (default: core's verifyDocument against the built-in anchors, online revocation). */
  verify?: (bytes: Uint8Array) => Promise<DocumentVerification>;
}

export class TrayApp {
  readonly queue: PromptQueue;
  readonly pinCache: PinCache;
  readonly prompter: ElectronPrompter;
  private state: TrayState;
  private settingsWindow: AbortController | undefined;
  private verifyWindow: AbortController | undefined;
  private unsubscribe: Array<() => void> = [];
  private quitting = false;

  constructor(private readonly deps: TrayAppDeps) {
    this.queue = deps.queue ?? new PromptQueue();
    this.pinCache = deps.pinCache ?? new PinCache();
    const settings = deps.settings;
    this.pinCache.configure(settings.current.pinCacheMinutes);
    this.prompter = new ElectronPrompter({
      dialogs: deps.dialogs,
      queue: this.queue,
      pinCache: this.pinCache,
      settings: () => settings.current,
      rememberPlacement: (choice) => settings.rememberPlacement(choice),
      pickFile: (title) => deps.shell.chooseFile({ title, filters: [] }),
      ...(deps.now ? { now: deps.now } : {}),
    });
    this.state = initialTrayState(deps.shell.version, settings.current.language);
  }

  get trayState(): TrayState {
    return this.state;
  }

  private get language(): UiLanguage {
    return this.deps.settings.current.language;
  }

  /** Starts everything; resolves once the agent listens or has failed (the tray then says why). */
  async start(): Promise<void> {
    const { agent, settings, shell } = this.deps;
    this.render();
    this.unsubscribe.push(this.queue.onChange((count) => this.dispatch({ type: 'pending', count })));
    this.unsubscribe.push(agent.onTokensChanged(() => this.refreshTokens()));
    if (agent.onSitesChanged) this.unsubscribe.push(agent.onSitesChanged(() => this.refreshSites()));
    this.unsubscribe.push(settings.onChange((s) => {
      this.pinCache.configure(s.pinCacheMinutes);
      this.dispatch({ type: 'language', language: s.language });
    }));
    // Keep the OS's autostart entry in line with the setting (the installer creates it; the user may turn it off).
    try {
      if (isAutostartEnabled(shell, this.deps.autostartFs) !== settings.current.autostart) setAutostart(shell, settings.current.autostart, this.deps.autostartFs);
    } catch {
      // not fatal: the setting is retried when saved
    }
    await this.startAgent();
    this.refreshTokens();
    this.refreshSites();
  }

  private agentOptions(s: AppSettings): AgentStartOptions {
    const password = this.deps.settings.tsaPassword();
    return {
      prompter: this.prompter,
      port: s.port,
      modulePaths: s.modulePaths,
      ...(s.tsa.url ? { tsa: { url: s.tsa.url, ...(s.tsa.username ? { username: s.tsa.username } : {}), ...(password !== undefined ? { password } : {}) } } : {}),
      logLevel: s.logLevel,
      logDir: this.deps.shell.paths.logs,
      dataDir: this.deps.shell.paths.userData,
      // Safari and Chrome's Local Network Access want https/wss; ws stays on the same port for the others.
      tls: true,
      // Pages written for the VNPT-CA Plugin keep working (unless turned off); each site still needs the user's consent.
      vnpt: s.vnptCompat,
      // pdf.verify / docx.verify trust these besides the built-in anchors, as with `kyso serve --trust-anchor`.
      trustAnchors: settingsAnchors(s),
    };
  }

  private async startAgent(): Promise<void> {
    this.dispatch({ type: 'agent-stopped' });
    try {
      const { port } = await this.deps.agent.start(this.agentOptions(this.deps.settings.current));
      this.dispatch({ type: 'agent-started', port });
    } catch (e) {
      this.dispatch({ type: 'agent-failed', reason: this.describeFailure(e) });
    }
  }

  private describeFailure(e: unknown): string {
    const l = this.language;
    if (isKysoError(e)) return l === 'vi' ? e.messageVi : e.messageEn;
    const err = e as { code?: string; port?: number } | undefined;
    if (err?.code === 'EADDRINUSE') return tr(l, 'error.portInUse', { port: err.port ?? this.deps.settings.current.port ?? this.deps.agent.defaultPort });
    return e instanceof Error ? e.message : String(e);
  }

  refreshTokens(): void {
    const { agent } = this.deps;
    let tokens: TrayToken[] = [];
    try {
      const certificates = agent.certificates();
      const now = (this.deps.now ?? (() => new Date()))();
      tokens = agent.tokens().map((t) => ({
        id: t.id,
        label: t.label,
        vendor: t.vendor,
        certificates: certificates.filter((c) => c.token.id === t.id).map((c) => certificateView(c, now)),
      }));
    } catch {
      tokens = [];
    }
    this.pinCache.keepOnly(tokens.map((t) => t.id));
    this.dispatch({ type: 'tokens', tokens });
  }

  refreshSites(): void {
    let sites: TrayState['sites'] = [];
    try {
      sites = this.deps.agent.allowedSites();
    } catch {
      sites = [];
    }
    this.dispatch({ type: 'sites', sites });
  }

  private dispatch(event: TrayEvent): void {
    this.state = reduceTray(this.state, event);
    this.render();
  }

  private render(): void {
    this.deps.shell.setTray(trayView(this.state), (action) => { void this.handle(action); });
  }

  async handle(action: TrayAction): Promise<void> {
    const { shell } = this.deps;
    const l = this.language;
    switch (action.type) {
      case 'settings': return this.openSettings();
      case 'verify': return this.openVerify();
      case 'open-logs': return shell.openFolder(shell.paths.logs);
      case 'quit': return this.quit();
      case 'show-pending': return this.deps.dialogs.focus?.();
      case 'revoke': {
        this.deps.agent.revokeSite(action.origin);
        this.refreshSites();
        return;
      }
      case 'certificate': {
        const cert = this.state.tokens.flatMap((t) => t.certificates).find((c) => c.id === action.id);
        if (!cert) return;
        return shell.showMessage({ type: 'info', title: tr(l, 'about.title'), message: cert.commonName, detail: certificateDetails(cert, l).join('\n') });
      }
      case 'about': {
        const v = this.deps.versions ?? {};
        return shell.showMessage({
          type: 'info',
          title: tr(l, 'about.title'),
          message: tr(l, 'about.message', { version: shell.version }),
          detail: tr(l, 'about.detail', { electron: v.electron ?? '?', node: v.node ?? '?', chrome: v.chrome ?? '?' }),
        });
      }
    }
  }

  /** Opens the settings window (one at a time) and applies its answer. */
  async openSettings(): Promise<void> {
    if (this.settingsWindow) {
      this.deps.dialogs.focus?.('settings');
      return;
    }
    const { settings, shell, agent } = this.deps;
    const controller = new AbortController();
    this.settingsWindow = controller;
    const l = this.language;
    const request: SettingsDialogRequest = {
      settings: settings.view(),
      sites: agent.allowedSites(),
      secretsAvailable: shell.secrets.available(),
      pinCacheChoices: [...PIN_CACHE_CHOICES],
      defaultPort: agent.defaultPort,
      ...(this.deps.localCertificate ? { localCertificate: this.deps.localCertificate.status() } : {}),
      ...(this.deps.remoteAccounts ? { remote: remoteAccountsView(this.deps.remoteAccounts) } : {}),
      version: shell.version,
      language: l,
    };
    const choices = { modules: new Set<string>(), anchors: new Map<string, StoredTrustAnchor>() };
    const spec = settingsDialog({
      chooseModule: () => shell.chooseFile({
        title: tr(l, 'file.module'),
        filters: [{ name: tr(l, 'file.libraries'), extensions: shell.platform === 'win32' ? ['dll'] : shell.platform === 'darwin' ? ['dylib', 'so', 'bundle'] : ['so'] }],
      }),
      chooseCertificateFile: async () => {
        const file = await shell.chooseFile({ title: tr(l, 'file.trustAnchor'), filters: [{ name: tr(l, 'file.certificates'), extensions: ['crt', 'cer', 'pem', 'der'] }] });
        if (!file) return null;
        // Checked before reading: the OS dialog lets the user pick anything.
        if ((await stat(file)).size > MAX_ANCHOR_FILE_BYTES) throw new KysoError('TOO_LARGE');
        return { name: path.basename(file), bytes: new Uint8Array(await readFile(file)) };
      },
      installLocalCertificate: async () => {
        const lc = this.deps.localCertificate;
        if (!lc) throw new Error('no local certificate here');
        const before = lc.status().present;
        const after = await lc.install();
        // A certificate made just now: the agent starts serving https/wss with it.
        if (!before && after.present) {
          await agent.stop();
          await this.startAgent();
        }
        return after;
      },
    }, choices, this.deps.remoteAccounts?.providers);
    try {
      const { remoteAccounts: remoteChange, ...result } = await this.deps.dialogs.open(spec, request, { language: l, signal: controller.signal });
      const before = settings.current;
      const remoteChanged = remoteChange && this.deps.remoteAccounts ? applyRemoteChange(this.deps.remoteAccounts, remoteChange) : false;
      for (const origin of result.revokedSites) agent.revokeSite(origin);
      let after: AppSettings;
      try {
        after = settings.apply(result, choices.anchors);
      } catch (e) {
        if (isKysoError(e, 'BAD_REQUEST') && typeof result.tsa.password === 'string') {
          await shell.showMessage({ type: 'warning', title: tr(l, 'error.title'), message: tr(l, 'error.secretsUnavailable') });
          after = settings.apply({ ...result, tsa: { url: result.tsa.url, username: result.tsa.username } }, choices.anchors);
        } else throw e;
      }
      if (after.autostart !== before.autostart) setAutostart(shell, after.autostart, this.deps.autostartFs);
      this.refreshSites();
      // New or removed remote accounts: the agent's key source is made again from the store.
      if (remoteChanged || needsRestart(before, after, typeof result.tsa.password === 'string' || result.tsa.password === null)) {
        await agent.stop();
        await this.startAgent();
        this.refreshTokens();
      }
    } catch (e) {
      if (!isKysoError(e, 'USER_CANCELLED')) {
        const err = isKysoError(e) ? e : undefined;
        await shell.showMessage({ type: 'error', title: tr(l, 'error.title'), message: err ? (l === 'vi' ? err.messageVi : err.messageEn) : String(e), ...(err?.detail ? { detail: err.detail } : {}) });
      }
    } finally {
      this.settingsWindow = undefined;
    }
  }

  /** Opens the "verify a document" window (one at a time); it answers nothing, the user just closes it. */
  async openVerify(): Promise<void> {
    if (this.verifyWindow) {
      this.deps.dialogs.focus?.('verify');
      return;
    }
    const { shell } = this.deps;
    const controller = new AbortController();
    this.verifyWindow = controller;
    const l = this.language;
    const spec = verifyDialog({
      chooseDocument: () => shell.chooseFile({
        title: tr(l, 'file.document'),
        filters: [{ name: tr(l, 'file.documents'), extensions: ['pdf', 'docx', 'xlsx', 'pptx', 'docm', 'xlsm', 'pptm'] }],
      }),
      readDocument: async (file) => {
        // Checked before reading: the OS dialog lets the user pick anything, a disk image included.
        if ((await stat(file)).size > MAX_VERIFY_BYTES) throw new KysoError('TOO_LARGE');
        return new Uint8Array(await readFile(file));
      },
      verify: this.deps.verify ?? ((bytes) => verifyDocument(bytes, { anchors: [...builtInAnchors(), ...settingsAnchors(this.deps.settings.current)] })),
      chooseSavePath: (defaultName) => shell.chooseSaveFile({ title: tr(l, 'file.saveRevision'), defaultName, filters: [{ name: tr(l, 'file.pdf'), extensions: ['pdf'] }] }),
      writeDocument: (file, bytes) => writeFileAtomicSync(file, bytes, { mode: 0o644 }),
    });
    try {
      await this.deps.dialogs.open(spec, { language: l }, { language: l, signal: controller.signal });
    } catch (e) {
      if (!isKysoError(e, 'USER_CANCELLED')) throw e;
    } finally {
      this.verifyWindow = undefined;
    }
  }

  /** The computer locks, sleeps or the user switches away: forget every cached PIN. */
  onSessionLocked(): void {
    this.pinCache.forgetAll();
  }

  async quit(): Promise<void> {
    if (this.quitting) return;
    this.quitting = true;
    this.pinCache.forgetAll();
    this.queue.cancelAll();
    this.settingsWindow?.abort();
    this.verifyWindow?.abort();
    for (const u of this.unsubscribe.splice(0)) u();
    try {
      await this.deps.agent.stop();
    } finally {
      this.deps.shell.quit();
    }
  }
}

function needsRestart(a: AppSettings, b: AppSettings, passwordChanged: boolean): boolean {
  return a.port !== b.port
    || a.vnptCompat !== b.vnptCompat
    || a.logLevel !== b.logLevel
    || a.tsa.url !== b.tsa.url
    || a.tsa.username !== b.tsa.username
    || passwordChanged
    || a.modulePaths.join('\n') !== b.modulePaths.join('\n')
    || a.trustAnchors.map((x) => x.fingerprint).join() !== b.trustAnchors.map((x) => x.fingerprint).join();
}
