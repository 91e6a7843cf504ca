/**
 * Test harness for the agent: the real server on an ephemeral loopback port over the SoftHSM token of the
 * fixtures, a settings file in a temporary directory, the log captured as JSON lines, and a real `ws` client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { PDF } from '@libpdf/core';
import { TokenService } from '../../src/core/token/token-service.js';
import { startAgentServer, type AgentServer, type AgentServerOptions } from '../../src/agent/server.js';
import { SettingsStore } from '../../src/agent/settings-store.js';
import { createAgentLogger } from '../../src/agent/logger.js';
import type { Prompter } from '../../src/agent/prompter.js';
import { fixtures, softhsmEnv } from '../helpers/fixtures.js';

export const PORTAL = 'https://dichvucong.example.gov.vn';

let service: TokenService | undefined;
/** One TokenService per process, as in the product. */
export function sharedTokens(): TokenService {
  if (!service) {
    const f = fixtures();
    process.env.SOFTHSM2_CONF = f.softhsm.conf;
    service = new TokenService([{ path: f.softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' }]);
  }
  return service;
}

export interface TestAgent {
  server: AgentServer;
  url: string;
  settingsFile: string;
  settings: SettingsStore;
  /** Every log line so far, raw. */
  logText(): string;
  logEntries(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startTestAgent(prompter: Prompter, options: Partial<AgentServerOptions> = {}): Promise<TestAgent> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-agent-'));
  const settingsFile = options.settings?.file ?? path.join(dir, 'settings.json');
  const settings = options.settings ?? new SettingsStore(settingsFile);
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  const server = await startAgentServer({
    tokens: sharedTokens(),
    prompter,
    settings,
    ports: [0],
    logger: createAgentLogger({ stream, level: 'debug' }),
    tokenPollMs: 200,
    ...options,
  });
  return {
    server,
    url: `ws://127.0.0.1:${server.port}/`,
    settingsFile,
    settings,
    logText: () => chunks.join(''),
    logEntries: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
    close: () => server.close(),
  };
}

export interface RpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: any;
  /** Documents of the answer sent as binary frames (binary documents): announced here, bytes in `files`. */
  attachments?: Array<{ id: number; length: number; sha256: string }>;
  files?: Map<number, Buffer>;
  error?: { code: number; message: string; data: { code: string; messageVi: string; messageEn: string; detail?: string } };
}

export interface Notification { jsonrpc: '2.0'; method: string; params: any }

/** A JSON-RPC client over a real WebSocket, as a page would open it (Origin set), or not. */
export class RpcClient {
  readonly notifications: Notification[] = [];
  readonly unmatched: RpcResponse[] = [];
  private readonly waiting = new Map<string | number, (r: RpcResponse) => void>();
  /** Answers whose attachments are still arriving, by attachment id. */
  private readonly arriving = new Map<number, { response: RpcResponse; chunks: Map<number, Buffer[]>; left: Set<number> }>();
  private nullWaiters: Array<(r: RpcResponse) => void> = [];
  private nextId = 1;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.onBinary(data as Buffer);
      const msg = JSON.parse(data.toString()) as RpcResponse & Partial<Notification>;
      if (msg.method) { this.notifications.push(msg as unknown as Notification); return; }
      if (msg.id === null || msg.id === undefined) {
        const w = this.nullWaiters.shift();
        if (w) w(msg); else this.unmatched.push(msg);
        return;
      }
      if (msg.attachments?.length) {
        const entry = { response: msg, chunks: new Map(msg.attachments.map((a) => [a.id, [] as Buffer[]])), left: new Set(msg.attachments.filter((a) => a.length > 0).map((a) => a.id)) };
        for (const a of msg.attachments) this.arriving.set(a.id, entry);
        if (entry.left.size === 0) this.deliverFiles(entry);
        return;
      }
      this.deliver(msg);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => { this.closeCode = code; resolve(code); }));
  }

  private deliver(msg: RpcResponse): void {
    const w = this.waiting.get(msg.id!);
    if (w) { this.waiting.delete(msg.id!); w(msg); } else this.unmatched.push(msg);
  }

  private onBinary(frame: Buffer): void {
    const id = frame.readUInt32BE(0);
    const entry = this.arriving.get(id);
    if (!entry) throw new Error(`binary frame for unknown attachment ${id}`);
    entry.chunks.get(id)!.push(frame.subarray(4));
    const announced = entry.response.attachments!.find((a) => a.id === id)!;
    if (entry.chunks.get(id)!.reduce((n, c) => n + c.length, 0) === announced.length) entry.left.delete(id);
    if (entry.left.size === 0) this.deliverFiles(entry);
  }

  private deliverFiles(entry: { response: RpcResponse; chunks: Map<number, Buffer[]> }): void {
    for (const id of entry.chunks.keys()) this.arriving.delete(id);
    entry.response.files = new Map([...entry.chunks].map(([id, c]) => [id, Buffer.concat(c)]));
    this.deliver(entry.response);
  }

  /**
   * A request whose documents follow as binary frames (`[uint32 id][chunk]`, `chunk` bytes at most per frame).
   * `announce` overrides what is announced (a lying length or hash); `send` limits what is sent (a half upload).
   */
  callBinary(method: string, params: unknown, files: ReadonlyArray<{ id: number; bytes: Uint8Array }>, options: {
    id?: string | number; chunk?: number; announce?: (a: { id: number; length: number; sha256: string }) => object; send?: number;
  } = {}): Promise<RpcResponse> {
    const id = options.id ?? this.nextId++;
    const p = new Promise<RpcResponse>((resolve) => this.waiting.set(id, resolve));
    const announces = files.map((f) => {
      const a = { id: f.id, length: f.bytes.length, sha256: createHash('sha256').update(f.bytes).digest('hex') };
      return options.announce ? options.announce(a) : a;
    });
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params, attachments: announces }));
    const chunk = options.chunk ?? 64 * 1024;
    for (const f of files) {
      const bytes = f.bytes.subarray(0, options.send ?? f.bytes.length);
      for (let at = 0; at < bytes.length; at += chunk) {
        const part = bytes.subarray(at, at + chunk);
        const frame = Buffer.alloc(4 + part.length);
        frame.writeUInt32BE(f.id);
        frame.set(part, 4);
        this.ws.send(frame, { binary: true });
      }
    }
    return p;
  }

  /** `ca`: the PEM to trust for a wss:// URL (the loopback CA), as a browser with it in its store would. */
  static connect(url: string, options: { origin?: string | null; host?: string; ca?: string } = {}): Promise<RpcClient> {
    const origin = options.origin === undefined ? PORTAL : options.origin;
    const ws = new WebSocket(url, {
      ...(options.ca ? { ca: options.ca } : {}),
      ...(origin !== null ? { origin } : {}),
      ...(options.host ? { headers: { Host: options.host } } : {}),
      perMessageDeflate: false,
      maxPayload: 512 * 1024 * 1024,
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RpcClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  /** Sends a request and waits for its answer. */
  call(method: string, params?: unknown, id: string | number = this.nextId++): Promise<RpcResponse> {
    const p = new Promise<RpcResponse>((resolve) => this.waiting.set(id, resolve));
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) }));
    return p;
  }

  /** Sends raw text/bytes; resolves with the next answer whose id is null (parse/invalid request errors). */
  sendRaw(data: string | Buffer, binary = false): Promise<RpcResponse> {
    const p = new Promise<RpcResponse>((resolve) => this.nullWaiters.push(resolve));
    this.ws.send(data, { binary });
    return p;
  }

  /** Sends raw text and waits for the answer carrying `id`. */
  sendRawFor(id: string | number, text: string): Promise<RpcResponse> {
    const p = new Promise<RpcResponse>((resolve) => this.waiting.set(id, resolve));
    this.ws.send(text);
    return p;
  }

  notify(method: string, params: unknown): void {
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  progressOf(id: string | number): string[] {
    return this.notifications.filter((n) => n.method === 'progress' && n.params.id === id).map((n) => n.params.stage as string);
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}

/** A one-page PDF with some Vietnamese text, as a portal would send. */
export async function samplePdf(text = 'Đơn đề nghị cấp giấy phép'): Promise<Uint8Array> {
  const pdf = PDF.create();
  pdf.addPage({ width: 595, height: 842 }).drawText(text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D'), { x: 50, y: 800, size: 12 });
  return pdf.save();
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Waits until `predicate` holds (polling), or fails after `ms`. */
/**
 * Waits for a state. The deadline only turns "never happened" into a readable failure: it is at least a minute,
 * whatever a caller asks, so a loaded CI machine is never a failure (no test measures time with it).
 */
export async function until(predicate: () => boolean, ms = 60_000, what = 'condition'): Promise<void> {
  const end = Date.now() + Math.max(ms, 60_000);
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A promise with its resolve handle, to hold a prompt open until the test lets it go. */
export function gate<T>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => { open = r; });
  return { promise, open };
}

const KYSO = fileURLToPath(new URL('../../bin/kyso.js', import.meta.url));

export interface Served { child: ChildProcess; port: number; stdout: () => string; stderr: () => string; settings: string; stop: () => Promise<void> }

/** `kyso serve` over the SoftHSM token on a free port (or its default ports), started as a user would; resolves once it printed its line. */
export async function startServe(args: string[], stdin: string, options: { defaultPorts?: boolean; configDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Served> {
  const settings = path.join(options.configDir ?? mkdtempSync(path.join(os.tmpdir(), 'kyso-serve-')), 'settings.json');
  const port = options.defaultPorts ? [] : ['--port', '0'];
  // `--pin-stdin` names its token (kyso refuses it otherwise): the fixture PIN is the fixture token's.
  const pinToken = args.includes('--pin-stdin') && !args.includes('--token') && !args.includes('--cert') ? ['--token', fixtures().softhsm.tokenLabel] : [];
  const child = spawn(process.execPath, [KYSO, 'serve', '--module', fixtures().softhsm.module, ...port, '--settings', settings, ...pinToken, ...args], { env: { ...softhsmEnv(), ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  child.stdin!.end(stdin);
  await until(() => out.includes('\n') || child.exitCode !== null, 20_000, 'listening line');
  const m = /^listening on ws:\/\/127\.0\.0\.1:(\d+)\n$/.exec(out);
  if (!m) throw new Error(`kyso serve did not start: ${out}\n${err}`);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child, port: Number(m[1]), stdout: () => out, stderr: () => err, settings,
    stop: async () => { if (child.exitCode === null) child.kill('SIGTERM'); await exited; },
  };
}
