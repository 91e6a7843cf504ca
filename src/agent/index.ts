/**
 * The agent, as the tray app and `kyso serve` start it. `startAgent` takes the token layer the caller owns
 * (one TokenService per process), the Prompter, and where to keep state and logs.
 */
import path from 'node:path';
import type { TokenService } from '../core/token/token-service.js';
import { createTimestampClient } from '../core/tsa/http-client.js';
import { createAgentLogger, type AgentLogger, type LogLevel } from './logger.js';
import type { Prompter } from './prompter.js';
import { DEFAULT_PORT, DEFAULT_PORTS } from './protocol-constants.js';
import { SETTINGS_FILE_NAME, SettingsStore, type AllowedSite } from './settings-store.js';
import { startAgentServer, type AgentServer } from './server.js';
import type { AgentLimits } from './methods/context.js';
import type { ServerTls } from './listener.js';
import { ensureLoopbackTls } from './tls/index.js';
import type { TrustAnchor } from '../core/validation/trust.js';
import { remoteKeySource, remoteSetup } from './remote-keys.js';

export { DEFAULT_PORT, DEFAULT_PORTS };
export type { Prompter, AllowedSite, AgentServer, AgentLimits };
export { startAgentServer } from './server.js';
export { SettingsStore, defaultSettingsPath } from './settings-store.js';
export { defaultConfigDir } from '../core/config-dir.js';
export { createAgentLogger } from './logger.js';
export { TerminalPrompter } from './prompters/terminal.js';
export { ScriptedPrompter, PreGrantedPrompter } from './prompters/scripted.js';

export interface StartAgentOptions {
  tokens: TokenService;
  prompter: Prompter;
  /** null: DEFAULT_PORT and its two fallbacks. */
  port: number | null;
  logLevel?: LogLevel;
  /** Directory for `agent.log`; absent: stderr. */
  logDir?: string;
  /** Directory of the agent's settings file (allowed sites). */
  dataDir: string;
  limits?: Partial<AgentLimits>;
  logger?: AgentLogger;
  /** Ignored here (modules are the caller's TokenService) — accepted so the tray app can pass its settings as they are. */
  modulePaths?: readonly string[];
  /** The user's timestamp server: signatures default to PAdES B-T when set. */
  tsa?: { url: string; username?: string; password?: string };
  /**
   * Also serve https/wss with the loopback certificate (tls/), made and put in the user's trust stores on
   * first use. If that fails the agent still starts, plain only, and says why in the log.
   */
  tls?: boolean;
  /** Also answer pages written for the VNPT-CA Plugin on wss://localhost:4433/plugin (vnpt-compat/). */
  vnpt?: boolean;
  /** Roots pdf.verify and docx.verify trust besides the built-in ones, as `kyso serve --trust-anchor` gives them. */
  trustAnchors?: readonly TrustAnchor[];
}

export async function startAgent(options: StartAgentOptions): Promise<AgentServer> {
  const logger = options.logger ?? createAgentLogger({
    level: options.logLevel ?? 'info',
    ...(options.logDir ? { file: path.join(options.logDir, 'agent.log') } : {}),
  });
  const tls = options.tls ? await loopbackTls(options.dataDir, logger) : undefined;
  const remote = remoteFrom(options.dataDir, options.prompter, logger);
  return startAgentServer({
    ...(remote ? { remote } : {}),
    ...(tls ? { tls } : {}),
    ...(options.vnpt ? { vnpt: {} } : {}),
    tokens: options.tokens,
    prompter: options.prompter,
    settings: new SettingsStore(path.join(options.dataDir, SETTINGS_FILE_NAME)),
    ports: options.port === null ? DEFAULT_PORTS : [options.port],
    logger,
    ...(options.tsa ? {
      timestamp: createTimestampClient({
        urls: [options.tsa.url],
        ...(options.tsa.username ? { username: options.tsa.username } : {}),
        ...(options.tsa.password ? { password: options.tsa.password } : {}),
      }),
    } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.trustAnchors ? { trustAnchors: options.trustAnchors } : {}),
  });
}

/** Remote signing from the accounts beside the settings; a providers file that does not read leaves it off, said in the log. */
function remoteFrom(dataDir: string, prompter: Prompter, log: AgentLogger): ReturnType<typeof remoteKeySource> | undefined {
  try {
    return remoteKeySource(remoteSetup(dataDir), prompter);
  } catch (err) {
    log.warn({ event: 'remote-unavailable', error: err instanceof Error ? err.message.slice(0, 300) : String(err) }, 'remote signing off');
    return undefined;
  }
}

async function loopbackTls(dataDir: string, log: AgentLogger): Promise<ServerTls | undefined> {
  try {
    const r = await ensureLoopbackTls(dataDir);
    for (const t of r.trust) {
      if (t.ok) log.info({ event: 'tls-trust', store: t.store }, 'local CA installed');
      else log.warn({ event: 'tls-trust', store: t.store, error: t.error }, 'local CA not installed in this store');
    }
    if (r.change !== 'none') log.info({ event: 'tls-certificate', change: r.change, notAfter: r.tls.notAfter.toISOString() }, 'loopback certificate made');
    return { key: r.tls.key, cert: r.tls.cert };
  } catch (err) {
    log.warn({ event: 'tls-unavailable', error: err instanceof Error ? err.message.slice(0, 300) : String(err) }, 'https/wss unavailable: serving ws only');
    return undefined;
  }
}
