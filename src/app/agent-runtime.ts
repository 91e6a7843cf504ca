/**
 * What the tray app needs of the agent (src/agent) running in the same process: start and stop it with the
 * user's settings and our Prompter, read the tokens and allowed sites for the tray, revoke a site. main.ts
 * adapts the agent to this; tests use a scripted runtime.
 */
import type { TokenCertificate, TokenSummary } from '../core/token/token-service.js';
import type { TrustAnchor } from '../core/validation/trust.js';
import type { AllowedSite, LogLevel } from '../ui/kit/protocol.js';
import type { Prompter } from './prompter-types.js';

export interface AgentStartOptions {
  prompter: Prompter;
  /** null: the agent's default port and its fallbacks. */
  port: number | null;
  modulePaths: readonly string[];
  tsa?: { url: string; username?: string; password?: string };
  logLevel: LogLevel;
  logDir: string;
  /** Where the agent keeps its own state (allowed sites, the loopback TLS profile). */
  dataDir: string;
  /** Serve https/wss too, with the local CA made and trusted on first run. */
  tls: boolean;
  /** Answer pages written for the VNPT-CA Plugin (wss://localhost:4433/plugin), with the same consent and windows. */
  vnpt: boolean;
  /** Roots pdf.verify and docx.verify trust besides the built-in ones (the user's settings; never a page's). */
  trustAnchors?: readonly TrustAnchor[];
}

export interface AgentRuntime {
  readonly defaultPort: number;
  /** Resolves with the port it listens on; rejects (e.g. every port taken) with a KysoError or system error. */
  start(options: AgentStartOptions): Promise<{ port: number }>;
  stop(): Promise<void>;
  tokens(): TokenSummary[];
  certificates(): TokenCertificate[];
  /** Tokens plugged in or out. Returns an unsubscribe function. */
  onTokensChanged(listener: () => void): () => void;
  allowedSites(): AllowedSite[];
  revokeSite(origin: string): void;
  /** Sites allowed or revoked (by consent or elsewhere). */
  onSitesChanged?(listener: () => void): () => void;
}
