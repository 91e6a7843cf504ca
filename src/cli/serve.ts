/**
 * `kyso serve`: the agent without the tray app, prompting on the terminal. For unattended use on a machine the
 * user controls, `--trust-origin ORIGIN` (repeatable) pre-grants consent and per-signature confirmation for
 * that origin only, and `--pin-stdin` reads the PIN once from standard input and keeps it in memory (forgotten
 * if the token refuses it). These exist only on the command line: nothing a page sends can turn them on.
 * Prints exactly one line on stdout when ready: `listening on ws://127.0.0.1:PORT`. The log goes to --log-file;
 * without it, to a file beside the settings when the terminal is used for questions (JSON lines between a
 * question and its answer would bury the question), else to stderr. The same port also speaks https/wss when the loopback certificate exists beside the settings
 * file (`kyso tls install`, or `--tls` to make and trust it now).
 *
 * `kyso sites` lists the sites allowed in the settings file; `kyso sites revoke ORIGIN` forgets one (a running
 * agent sees the change at its next request).
 */
import { parseAnchorFile } from '../core/validation/trust.js';
import { readInput } from './read-input.js';
import path from 'node:path';
import type { Command } from 'commander';
import { KysoError } from '../core/errors.js';
import { createAgentLogger, type LogLevel } from '../agent/logger.js';
import { parseOrigin } from '../agent/origin-policy.js';
import { PreGrantedPrompter } from '../agent/prompters/scripted.js';
import { TerminalPrompter } from '../agent/prompters/terminal.js';
import { DEFAULT_PORTS } from '../agent/protocol-constants.js';
import { SettingsStore, defaultSettingsPath } from '../agent/settings-store.js';
import { ensureLoopbackTls, loadLoopbackTls } from '../agent/tls/index.js';
import type { ServerTls } from '../agent/listener.js';
import { MAX_DOCUMENT_MB_LIMIT, startAgentServer } from '../agent/server.js';
import { remoteKeySource, remoteSetup } from '../agent/remote-keys.js';
import { printOutcomes } from './commands/tls.js';
import { runCommand, EXIT } from './output.js';
import { pinFromStdin } from './pin-input.js';
import { MODULE_OPTION_HELP, assertPinTarget, openTokenService, selectCertificate, tokenByLabel, type TokenOptions } from './token-options.js';
import type { TokenService, TokenSummary } from '../core/token/token-service.js';
import { addTsaOptions, timestampClientFrom, type TsaOptions } from './tsa-options.js';

interface ServeOptions extends TokenOptions, TsaOptions {
  port?: string;
  trustOrigin?: string[];
  pinStdin?: boolean;
  settings?: string;
  logFile?: string;
  logLevel?: LogLevel;
  maxDocumentMb?: string;
  tls?: boolean;
  vnpt?: boolean;
  trustAnchor?: string[];
}

const repeat = (v: string, prev: string[] = []): string[] => [...prev, v];

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new KysoError('BAD_REQUEST', `--port: not a port number: ${value}`);
  return n;
}

export function registerServe(program: Command): void {
  const serve = program.command('serve').description('chạy dịch vụ ký số cho cổng dịch vụ công / run the signing agent for web portals, questions on this terminal')
    .option('--module <path>', MODULE_OPTION_HELP, repeat)
    .option('--port <port>', `listen on this port only (0: any free port; default ${DEFAULT_PORTS[0]}, then ${DEFAULT_PORTS.slice(1).join(', ')})`)
    .option('--trust-origin <origin>', 'pre-grant consent and confirmation for this site (repeatable; unattended use only)', repeat)
    .option('--pin-stdin', 'read the PIN once from the first line of standard input and keep it in memory, for the token named by --token or --cert only (at a terminal: read with echo off)')
    .option('--token <label>', 'with --pin-stdin: the token the PIN belongs to')
    .option('--cert <id>', 'with --pin-stdin: a certificate (id or unique prefix) on the token the PIN belongs to')
    .option('--settings <file>', `settings file with the allowed sites (default ${defaultSettingsPath()})`)
    .option('--log-file <file>', 'append the log here ("-": standard error); default: a file beside the settings when questions are asked on this terminal, else standard error')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option('--max-document-mb <n>', `largest document accepted, in MiB (default 50, at most ${MAX_DOCUMENT_MB_LIMIT}: what a base64 request can carry)`)
    .option('--tls', 'make the loopback certificate and trust its CA if there is none yet (as `kyso tls install`)')
    .option('--no-tls', 'serve ws/http only, even when the loopback certificate exists')
    .option('--vnpt', 'also answer pages written for the VNPT-CA Plugin on wss://localhost:4433/plugin (4434, 4435)')
    .option('--trust-anchor <file>', 'tin cậy chứng thư gốc này khi kiểm tra chữ ký (PEM hoặc DER, lặp lại được) / a root pdf.verify trusts besides the built-in ones (PEM or DER, repeatable)', repeat);
  // --tsa (signatures default to PAdES B-T with it), --tsa-user, --tsa-password-stdin, --tsa-timeout: as for `kyso sign`.
  addTsaOptions(serve)
    .action((opts: ServeOptions) => runCommand(async () => {
      const trusted = (opts.trustOrigin ?? []).map((o) => {
        const origin = parseOrigin(o);
        if (!origin) throw new KysoError('BAD_REQUEST', `--trust-origin: not an origin (scheme://host[:port]): ${o}`);
        return origin;
      });
      const ports = opts.port ? [portNumber(opts.port)] : DEFAULT_PORTS;
      const maxMb = opts.maxDocumentMb ? Number(opts.maxDocumentMb) : undefined;
      if (maxMb !== undefined && !(maxMb >= 1 && maxMb <= MAX_DOCUMENT_MB_LIMIT)) throw new KysoError('BAD_REQUEST', `--max-document-mb: 1 to ${MAX_DOCUMENT_MB_LIMIT} (the largest document one request can carry)`);
      assertPinTarget(opts);
      const settingsFile = opts.settings ?? defaultSettingsPath();
      const trustAnchors = [];
      for (const f of opts.trustAnchor ?? []) trustAnchors.push(...parseAnchorFile(await readInput(f), f));
      const tokens = openTokenService(opts);
      let server;
      try {
        // The PIN first, before anything listens: it never passes through the agent's network side.
        const pinToken = opts.pinStdin ? pinTarget(tokens, opts) : undefined;
        const pin = pinToken ? await pinFromStdin(`Mã PIN của token "${pinToken.label}" / PIN: `) : undefined;
        const timestamp = await timestampClientFrom(opts, opts.pinStdin ? 1 : 0);
        const tls = await serverTls(path.dirname(settingsFile), opts.tls);
        const prompter = new PreGrantedPrompter({
          trustedOrigins: trusted,
          ...(pin !== undefined && pinToken ? { pin, pinToken: pinToken.id } : {}),
          fallback: new TerminalPrompter(),
        });
        // Remote signing accounts live beside the settings (`kyso remote add`); their passwords are asked here each time.
        const remote = remoteKeySource(remoteSetup(path.dirname(settingsFile)), prompter);
        const logFile = logDestination(opts.logFile, path.dirname(settingsFile));
        const logger = createAgentLogger({ level: opts.logLevel ?? 'info', ...(logFile ? { file: logFile } : {}) });
        if (logFile) process.stderr.write(`nhật ký / log: ${logFile}\n`);
        server = await startAgentServer({
          tokens,
          prompter,
          settings: new SettingsStore(settingsFile),
          ...(tls ? { tls } : {}),
          ...(opts.vnpt ? { vnpt: {} } : {}),
          preGrantedOrigins: trusted,
          ports,
          logger,
          ...(maxMb !== undefined ? { limits: { maxDocumentBytes: Math.floor(maxMb * 1024 * 1024) } } : {}),
          ...(timestamp ? { timestamp } : {}),
          trustAnchors,
          remote,
        });
      } catch (err) {
        tokens.close();
        throw err;
      }
      process.stdout.write(`listening on ws://127.0.0.1:${server.port}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      tokens.close();
      return EXIT.ok;
    }));

  const sites = program.command('sites').description('các trang web được phép dùng Kyso / sites allowed to use Kyso')
    .option('--settings <file>', `settings file (default ${defaultSettingsPath()})`)
    .action((opts: { settings?: string }) => runCommand(async () => {
      const store = new SettingsStore(opts.settings ?? defaultSettingsPath());
      for (const s of store.allowedSites()) process.stdout.write(`${s.origin}${s.since ? `  (từ / since ${s.since})` : ''}\n`);
    }));
  sites.command('revoke <origin>').description('thu hồi quyền của một trang web / forget a site: it will be asked again')
    .action((origin: string, _opts: unknown, cmd: Command) => runCommand(async () => {
      const file = (cmd.parent?.opts() as { settings?: string } | undefined)?.settings ?? defaultSettingsPath();
      const store = new SettingsStore(file);
      if (!store.revoke(parseOrigin(origin) ?? origin)) {
        process.stderr.write(`kyso: ${origin} chưa được cho phép / was not allowed\n`);
        return EXIT.failure;
      }
      process.stdout.write(`đã thu hồi / revoked: ${origin}\n`);
      return EXIT.ok;
    }));
}

/**
 * undefined (no flag): the existing certificate if any, no store touched; true: make and trust it if needed;
 * false (--no-tls): none. A certificate that cannot be made is an error only when asked for.
 */
async function serverTls(dataDir: string, wanted: boolean | undefined): Promise<ServerTls | undefined> {
  if (wanted === false) return undefined;
  if (wanted === undefined) {
    const existing = loadLoopbackTls(dataDir);
    return existing ? { key: existing.key, cert: existing.cert } : undefined;
  }
  const r = await ensureLoopbackTls(dataDir);
  // Standard error: standard output carries only the "listening on" line.
  printOutcomes(r.trust, 'CA cục bộ được tin cậy trong / local CA trusted in', process.stderr);
  return { key: r.tls.key, cert: r.tls.cert };
}

/** The one token `--pin-stdin`'s PIN is for: the token of `--cert`, else the token labelled `--token`. */
function pinTarget(tokens: TokenService, opts: ServeOptions): TokenSummary {
  if (opts.cert) return selectCertificate(tokens, opts).token;
  return tokenByLabel(tokens, opts.token!);
}

/** Where the log goes: `--log-file` ("-": stderr); else a file when this terminal carries the questions; else stderr (undefined). */
function logDestination(flag: string | undefined, dataDir: string): string | undefined {
  if (flag === '-') return undefined;
  if (flag) return flag;
  return process.stdin.isTTY ? path.join(dataDir, 'logs', 'agent.log') : undefined;
}
