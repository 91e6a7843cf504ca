/**
 * Binds the tray app to the agent (src/agent) in the same process. The token layer is created here, once
 * per process (PKCS#11 login state is per application), from the vendor catalogue plus the user's module
 * paths, and shared with the agent; token presence is polled for the tray.
 *
 * The agent module is loaded by name at start (the shape this adapter expects of it is `AgentModule` below);
 * if it cannot be loaded, start() fails with a clear reason and the tray shows it; tokens and certificates
 * still show.
 */
import { KysoError } from '../core/errors.js';
import { discoverModules } from '../core/token/discovery.js';
import { TokenService, type TokenCertificate, type TokenSummary } from '../core/token/token-service.js';
import type { AllowedSite } from '../ui/kit/protocol.js';
import type { AgentRuntime, AgentStartOptions } from './agent-runtime.js';

/** What the adapter needs of src/agent. */
export interface AgentModule {
  DEFAULT_PORT?: number;
  startAgent(options: AgentStartOptions & { tokens: TokenService }): Promise<{
    port: number;
    close(): Promise<void>;
    allowedSites(): AllowedSite[];
    revokeSite(origin: string): void;
    onSitesChanged?(listener: () => void): () => void;
  }>;
}

export const FALLBACK_DEFAULT_PORT = 58110;
const POLL_MS = 2000;

export class InProcessAgent implements AgentRuntime {
  defaultPort = FALLBACK_DEFAULT_PORT;
  private service: TokenService | undefined;
  private running: Awaited<ReturnType<AgentModule['startAgent']>> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly sitesListeners = new Set<() => void>();
  private unsubscribeSites: (() => void) | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private lastTokens = '';

  constructor(private readonly load: () => Promise<AgentModule> = loadAgentModule) {}

  async start(options: AgentStartOptions): Promise<{ port: number }> {
    this.service?.close();
    this.service = new TokenService(discoverModules({ userPaths: options.modulePaths }));
    this.startPolling();
    const agent = await this.load();
    if (agent.DEFAULT_PORT) this.defaultPort = agent.DEFAULT_PORT;
    this.running = await agent.startAgent({ ...options, tokens: this.service });
    this.unsubscribeSites = this.running.onSitesChanged?.(() => { for (const l of this.sitesListeners) l(); });
    return { port: this.running.port };
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    const r = this.running;
    this.running = undefined;
    this.unsubscribeSites?.();
    this.unsubscribeSites = undefined;
    try {
      await r?.close();
    } finally {
      this.service?.close();
      this.service = undefined;
    }
  }

  tokens(): TokenSummary[] {
    return this.service?.tokens() ?? [];
  }

  certificates(): TokenCertificate[] {
    return this.service?.certificates() ?? [];
  }

  onTokensChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  allowedSites(): AllowedSite[] {
    return this.running?.allowedSites() ?? [];
  }

  revokeSite(origin: string): void {
    this.running?.revokeSite(origin);
  }

  /** Sites allowed or revoked by the agent (a user's consent in a prompt) while the tray shows the list. */
  onSitesChanged(listener: () => void): () => void {
    this.sitesListeners.add(listener);
    return () => this.sitesListeners.delete(listener);
  }

  private startPolling(): void {
    if (this.poll) return;
    const check = (): void => {
      let key = '';
      try {
        key = this.tokens().map((t) => `${t.id}:${t.pinState}`).join('|');
      } catch {
        key = '';
      }
      if (key === this.lastTokens) return;
      this.lastTokens = key;
      for (const l of this.listeners) l();
    };
    this.poll = setInterval(check, POLL_MS);
    this.poll.unref?.();
    check();
  }
}

async function loadAgentModule(): Promise<AgentModule> {
  const specifier = '../agent/index.js';
  try {
    return (await import(specifier)) as AgentModule;
  } catch (cause) {
    throw new KysoError('INTERNAL', 'the agent (src/agent) is not part of this build', { cause });
  }
}
