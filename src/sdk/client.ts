/**
 * The portal's client for the Kyso agent on the user's computer.
 *
 *   const kyso = new KysoClient({ installUrl: 'https://portal.example/huong-dan-cai-kyso' });
 *   const { blob } = await kyso.signPdf(file, { reason: 'Nộp hồ sơ', onProgress: (s) => … });
 *
 * Finding the agent: for each port (default 21368, then 21369, 21370), `wss://` first and `ws://` where the
 * browser allows it (Safari refuses `ws://` to 127.0.0.1 from HTTPS pages; Kyso's local CA makes `wss://`
 * trusted). Before each WebSocket a `no-cors` fetch of `/.well-known/kyso`: from an HTTPS page this is what
 * makes Chrome show its Local Network Access prompt, which a bare WebSocket may not. When nothing answers,
 * the error says why in words a citizen understands: NOT_INSTALLED (with the portal's download link) or
 * BLOCKED_BY_BROWSER (the user refused Local Network Access; in a cross-origin iframe the detail tells the
 * developer the embedding page must grant `allow="loopback-network"`).
 *
 * Documents travel as binary WebSocket frames when the agent offers it (`agent.info` → `attachments`): no base64,
 * no document-sized string on either side. With an older agent, or a page without WebCrypto, they go as base64.
 *
 * Every call connects on demand; a lost connection fails the calls in flight with DISCONNECTED and the next
 * call reconnects. Calls take an AbortSignal (the agent is told to cancel) and an onProgress callback.
 */
import { base64ToBytes, bytesToBase64, toBytes } from './base64.js';
import { HEADER_BYTES, Incoming, canSendBinary, frames, resolveAttachments, sha256Hex, type Announce } from './attachments.js';
import { KysoError, agentError, cancelledError, sdkError } from './errors.js';
import type {
  AgentInfo, AttachmentRef, BatchDocument, BatchSignParams, BatchSignResult, Certificate, DocxSignParams, DocxSignResult, DocxVerifyResult, HashAlgorithm, HashSignParams, HashSignResult,
  PdfSignParams, PdfSignResult, ProgressDetail, ProgressStage, SignatureSummary, VerifyResult,
} from './types.js';

export const DEFAULT_PORTS: readonly number[] = [21368, 21369, 21370];
export const PROBE_PATH = '/.well-known/kyso';

export interface KysoClientOptions {
  /** Ports to try in order. Default 21368, 21369, 21370. */
  ports?: readonly number[];
  /** Where citizens download Kyso; carried by NOT_INSTALLED errors. */
  installUrl?: string;
  /**
   * Per port, for the probe and the WebSocket handshake. Default 5000 ms: a closed port answers at once, so this
   * only bounds a busy machine, where 2 s made the SDK give up on wss:// and fall back to ws://.
   */
  connectTimeoutMs?: number;
  /** A call with no answer by then fails with TIMEOUT. Default 6 minutes (the agent's own limit is 5). */
  requestTimeoutMs?: number;
  /** Reconnect in the background while someone listens to `tokens.changed`. Default true. */
  reconnect?: boolean;
  /** `prefer` (default): wss:// first, then ws://; `only`: wss:// only; `never`: ws:// only (development). */
  secure?: 'prefer' | 'only' | 'never';
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Where the request is; `detail` with the stages of a batch (which document, of how many). */
  onProgress?: (stage: ProgressStage, detail?: ProgressDetail) => void;
}

/**
 * pdf.sign's params but the document: `certificateId` from listCertificates() (absent: Kyso asks the user),
 * `reason`, `location`, `contactInfo`, `placement`, `appearance`, `level`; and `fileName`, shown to the user in
 * Kyso's confirmation (default: the File's name, else "tai-lieu.pdf").
 */
export interface SignPdfOptions extends CallOptions, Omit<PdfSignParams, 'document' | 'fileName'> {
  fileName?: string;
}

export interface SignedPdf {
  bytes: Uint8Array;
  blob: Blob;
  /** A name for the download: the input name with ".signed" before ".pdf". */
  fileName: string;
  signature: SignatureSummary;
}

/** docx.sign's params but the document; `fileName` as for signPdf (default: the File's name, else "tai-lieu.docx"). */
export interface SignDocxOptions extends CallOptions, Omit<DocxSignParams, 'document' | 'fileName'> {
  fileName?: string;
}

export interface SignedDocx {
  bytes: Uint8Array;
  blob: Blob;
  /** A name for the download: the input name with ".signed" before its extension. */
  fileName: string;
  signature: DocxSignResult['signature'];
}

/** One document of signBatch: the file, its type (default from its name), and the options of signPdf or signDocx. */
export type SignBatchItem =
  | ({ file: Blob | ArrayBuffer | Uint8Array; type?: 'pdf' } & Omit<SignPdfOptions, keyof CallOptions | 'certificateId'>)
  | ({ file: Blob | ArrayBuffer | Uint8Array; type: 'docx' } & Omit<SignDocxOptions, keyof CallOptions | 'certificateId'>);

export interface SignBatchOptions extends CallOptions {
  /** One certificate for all (absent: Kyso asks the user once). */
  certificateId?: string;
}

export interface SignHashOptions extends CallOptions {
  algorithm: HashAlgorithm;
  format: 'cms' | 'raw';
  certificateId?: string;
  fileName?: string;
}

export interface SignedHash extends Omit<HashSignResult, 'signature' | 'certificate' | 'chain'> {
  signature: Uint8Array;
  signatureBase64: string;
  certificate: Uint8Array;
  chain: Uint8Array[];
}

type Events = {
  'tokens.changed': { tokenCount: number };
  connected: AgentInfo;
  disconnected: undefined;
  /**
   * The browser is about to ask the citizen for Local Network Access (Chrome): show this text beside the page's
   * signing button so the question does not come out of nowhere.
   */
  'permission-prompt': { messageVi: string; messageEn: string };
};

/** What to tell the citizen while Chrome asks for Local Network Access. */
export const LOCAL_NETWORK_PROMPT = {
  messageVi: 'Trình duyệt sẽ hỏi bạn có cho phép trang này truy cập các thiết bị trong mạng cục bộ không: hãy bấm "Cho phép" để trang dùng được Kyso (phần mềm ký số trên máy tính của bạn).',
  messageEn: 'Your browser will ask whether this page may access devices on your local network: choose "Allow" so the page can use Kyso, the signing app on your computer.',
} as const;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: KysoError) => void;
  onProgress?: (stage: ProgressStage, detail?: ProgressDetail) => void;
}

export class KysoClient {
  private ws: WebSocket | undefined;
  private connecting: Promise<AgentInfo> | undefined;
  private agent: AgentInfo | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private nextAttachment = 1;
  /** Attachments of answers still arriving, by the agent's attachment id. */
  private readonly incoming = new Map<number, { files: Incoming; requestId: number; result: unknown }>();
  private readonly listeners: { [K in keyof Events]: Set<(v: Events[K]) => void> } = { 'tokens.changed': new Set(), connected: new Set(), disconnected: new Set(), 'permission-prompt': new Set() };
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectDelay = 1000;
  private closedByUser = false;
  /** The port the agent answered on. */
  port: number | undefined;
  /** Whether the connection is wss:// (TLS with Kyso's local certificate). */
  secure: boolean | undefined;

  constructor(private readonly options: KysoClientOptions = {}) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Finds the agent and opens the connection (calls do this themselves). Resolves with agent.info. */
  connect(): Promise<AgentInfo> {
    if (this.connected && this.agent) return Promise.resolve(this.agent);
    this.closedByUser = false;
    this.connecting ??= this.discover().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  close(): void {
    this.closedByUser = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.ws?.close(1000);
  }

  on<K extends keyof Events>(event: K, listener: (v: Events[K]) => void): () => void {
    this.listeners[event].add(listener);
    if (event === 'tokens.changed') void this.connect().catch(() => this.scheduleReconnect());
    return () => { this.listeners[event].delete(listener); };
  }

  async info(options: CallOptions = {}): Promise<AgentInfo> {
    const info = await this.call<AgentInfo>('agent.info', undefined, options);
    this.agent = info;
    return info;
  }

  async listCertificates(options: CallOptions = {}): Promise<Certificate[]> {
    return (await this.call<{ certificates: Certificate[] }>('certificates.list', undefined, options)).certificates;
  }

  async signPdf(file: Blob | ArrayBuffer | Uint8Array, options: SignPdfOptions = {}): Promise<SignedPdf> {
    const { bytes, name } = await this.document(file, options.fileName, 'tai-lieu.pdf');
    const r = await this.callWithDocuments<PdfSignResult>('pdf.sign', [bytes], ([d]) => pdfParams(d!, name, options), options);
    return signedPdf(r, name);
  }

  /** Signs an Office document (DOCX, XLSX, PPTX) with a package signature as Office writes it. */
  async signDocx(file: Blob | ArrayBuffer | Uint8Array, options: SignDocxOptions = {}): Promise<SignedDocx> {
    const { bytes, name } = await this.document(file, options.fileName, 'tai-lieu.docx');
    const r = await this.callWithDocuments<DocxSignResult>('docx.sign', [bytes], ([d]) => docxParams(d!, name, options), options);
    return signedDocx(r, name, file);
  }

  /**
   * Signs several PDFs and Office documents with one certificate, one confirmation in Kyso listing them all, and
   * one PIN. All are signed or the call fails; a KysoError about one document says which in `document` (from 1).
   * `type` defaults from the file name (.docx/.xlsx/.pptx…: docx, else pdf).
   */
  async signBatch(items: readonly SignBatchItem[], options: SignBatchOptions = {}): Promise<Array<SignedPdf | SignedDocx>> {
    const files: Uint8Array[] = [];
    const names: string[] = [];
    const types: Array<'pdf' | 'docx'> = [];
    let total = 0;
    for (const item of items) {
      const { bytes, name } = await this.document(item.file, item.fileName, item.type === 'docx' ? 'tai-lieu.docx' : 'tai-lieu.pdf');
      total += bytes.length;
      files.push(bytes);
      names.push(name);
      types.push(item.type ?? (OFFICE_NAME.test(name) ? 'docx' : 'pdf'));
    }
    // A PDF-shaped item named .docx is sent as docx: the agent refuses a PDF-only option (level B-LT) with BAD_REQUEST.
    const build = (docs: Array<string | AttachmentRef>): BatchSignParams => ({
      documents: docs.map((d, i): BatchDocument => (types[i] === 'pdf'
        ? { type: 'pdf', ...pdfParams(d, names[i]!, items[i]!) }
        : { type: 'docx', ...docxParams(d, names[i]!, items[i] as Omit<SignDocxOptions, keyof CallOptions>) })),
      ...(options.certificateId ? { certificateId: options.certificateId } : {}),
    });
    const info = await this.connect();
    // Each document fits (document() checked); together they must too, in one frame.
    if (total > info.limits.maxDocumentBytes) {
      throw new KysoError('TOO_LARGE', 'Các tài liệu quá lớn để ký cùng lúc.', 'The documents are too large to sign together.', { detail: `${total} > ${info.limits.maxDocumentBytes} bytes in all` });
    }
    const r = await this.callWithDocuments<BatchSignResult>('batch.sign', files, build, options);
    return r.documents.map((d, i) => (d.type === 'pdf' ? signedPdf(d, names[i]!) : signedDocx(d, names[i]!, items[i]!.file)));
  }

  async verifyDocx(file: Blob | ArrayBuffer | Uint8Array, options: CallOptions = {}): Promise<DocxVerifyResult> {
    return this.callWithDocuments<DocxVerifyResult>('docx.verify', [await toBytes(file)], ([d]) => ({ document: d }), options);
  }

  /** Signs a digest the portal computed (it prepared the document on its server). */
  async signHash(digest: ArrayBuffer | Uint8Array | string, options: SignHashOptions): Promise<SignedHash> {
    const params: HashSignParams = {
      digest: typeof digest === 'string' ? digest : bytesToBase64(await toBytes(digest)),
      algorithm: options.algorithm,
      format: options.format,
      ...(options.certificateId ? { certificateId: options.certificateId } : {}),
      ...(options.fileName ? { fileName: cleanFileName(options.fileName) } : {}),
    };
    const r = await this.call<HashSignResult>('hash.sign', params, options);
    return { ...r, signature: base64ToBytes(r.signature), signatureBase64: r.signature, certificate: base64ToBytes(r.certificate), chain: r.chain.map(base64ToBytes) };
  }

  async verifyPdf(file: Blob | ArrayBuffer | Uint8Array, options: CallOptions = {}): Promise<VerifyResult> {
    return this.callWithDocuments<VerifyResult>('pdf.verify', [await toBytes(file)], ([d]) => ({ document: d }), options);
  }

  /** The document's bytes (refused before sending when larger than the agent takes) and its display name. */
  private async document(file: Blob | ArrayBuffer | Uint8Array, fileName: string | undefined, fallback: string): Promise<{ bytes: Uint8Array; name: string }> {
    const info = await this.connect();
    const bytes = await toBytes(file);
    if (bytes.length > info.limits.maxDocumentBytes) {
      throw new KysoError('TOO_LARGE', 'Tài liệu quá lớn.', 'The document is too large.', { detail: `${bytes.length} > ${info.limits.maxDocumentBytes} bytes` });
    }
    const name = cleanFileName(fileName ?? (typeof File !== 'undefined' && file instanceof File ? file.name : fallback), fallback);
    return { bytes, name };
  }

  /** Any method by name (docs/protocol.md). */
  async call<T>(method: string, params: unknown, options: CallOptions = {}): Promise<T> {
    if (options.signal?.aborted) throw cancelledError();
    await this.connect();
    return this.send<T>(method, params, options);
  }

  /**
   * A call whose params carry documents: `build` places each one (an attachment, or base64 for an agent without
   * binary documents). Answers' documents come back as bytes either way.
   */
  private async callWithDocuments<T>(method: string, documents: Uint8Array[], build: (docs: Array<string | AttachmentRef>) => unknown, options: CallOptions): Promise<T> {
    if (options.signal?.aborted) throw cancelledError();
    const info = await this.connect();
    if (!canSendBinary(info)) return this.send<T>(method, build(documents.map(bytesToBase64)), options);
    const outgoing = await Promise.all(documents.map(async (bytes) => ({ id: this.nextAttachment++ >>> 0, bytes, sha256: await sha256Hex(bytes) })));
    return this.send<T>(method, build(outgoing.map((a) => ({ attachment: a.id }))), options, { files: outgoing, maxChunkBytes: info.attachments!.maxChunkBytes });
  }

  // -------------------------------------------------------------------------------------------------------------

  /** Sends on the open connection (no connecting here: discover() uses it too); attachments follow as binary frames. */
  private send<T>(method: string, params: unknown, options: CallOptions = {}, attachments?: { files: Array<{ id: number; bytes: Uint8Array; sha256: string }>; maxChunkBytes: number }): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(sdkError('DISCONNECTED'));
    if (options.signal?.aborted) return Promise.reject(cancelledError());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs ?? 6 * 60_000;
      const finish = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const timer = setTimeout(() => {
        finish();
        this.sendNotification('request.cancel', { id });
        reject(new KysoError('TIMEOUT', 'Hết thời gian chờ.', 'The operation timed out.'));
      }, timeoutMs);
      const onAbort = (): void => {
        finish();
        this.sendNotification('request.cancel', { id });
        reject(cancelledError());
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => { finish(); resolve(v as T); },
        reject: (e) => { finish(); reject(e); },
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      const announces: Announce[] | undefined = attachments?.files.map((f) => ({ id: f.id, length: f.bytes.length, sha256: f.sha256 }));
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}), ...(announces ? { attachments: announces } : {}) }));
      for (const f of attachments?.files ?? []) {
        for (const frame of frames(f.id, f.bytes, attachments!.maxChunkBytes)) ws.send(frame as Uint8Array<ArrayBuffer>);
      }
    });
  }

  private emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const l of this.listeners[event]) {
      try { l(value); } catch { /* a listener's error is the page's */ }
    }
  }

  private sendNotification(method: string, params: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  private async discover(): Promise<AgentInfo> {
    const ports = this.options.ports ?? DEFAULT_PORTS;
    const timeout = this.options.connectTimeoutMs ?? 5000;
    const schemes = this.options.secure === 'never' ? ['http'] as const : this.options.secure === 'only' ? ['https'] as const : ['https', 'http'] as const;
    let reached = false;
    if ((await loopbackPermission()) === 'prompt') this.emit('permission-prompt', { ...LOCAL_NETWORK_PROMPT });
    for (const port of ports) {
      for (const scheme of schemes) {
        if (!(await probe(scheme, port, timeout))) continue;
        reached = true;
        try {
          await this.open(`${scheme === 'https' ? 'wss' : 'ws'}://127.0.0.1:${port}/`, timeout);
          this.port = port;
          this.secure = scheme === 'https';
          const info = await this.send<AgentInfo>('agent.info', undefined);
          this.agent = info;
          this.reconnectDelay = 1000;
          this.emit('connected', info);
          return info;
        } catch (err) {
          this.ws?.close();
          this.ws = undefined;
          if (err instanceof KysoError && err.code !== 'DISCONNECTED') throw err;
        }
      }
    }
    const installUrl = this.options.installUrl;
    if ((await loopbackPermission()) === 'denied') {
      throw sdkError('BLOCKED_BY_BROWSER', inCrossOriginFrame()
        ? { detail: 'this page runs in an iframe: the embedding page must allow it with <iframe allow="loopback-network">' }
        : {});
    }
    // Kyso answered the probe but the WebSocket failed: too many connections, or the browser blocks WebSockets.
    if (reached) throw sdkError('DISCONNECTED', { detail: 'Kyso answered but the WebSocket could not be opened' });
    throw sdkError('NOT_INSTALLED', installUrl ? { installUrl } : {});
  }

  private open(url: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => { ws.close(); reject(sdkError('DISCONNECTED', { detail: 'handshake timed out' })); }, timeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        this.ws = ws;
        // Binary frames (attachments) as ArrayBuffers: read at once, never as Blobs or strings.
        ws.binaryType = 'arraybuffer';
        ws.onmessage = (ev) => this.onMessage(ev.data);
        ws.onclose = () => this.onClose(ws);
        resolve();
      };
      ws.onerror = () => { clearTimeout(timer); reject(sdkError('DISCONNECTED', { detail: url })); };
    });
  }

  private onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) return this.onBinary(data);
    if (typeof data !== 'string') return;
    let msg: { id?: unknown; method?: unknown; params?: any; result?: unknown; error?: { message?: string; data?: any }; attachments?: Announce[] };
    try { msg = JSON.parse(data); } catch { return; }
    if (typeof msg.method === 'string') {
      if (msg.method === 'progress' && msg.params) {
        const { id, stage, document, documents } = msg.params;
        // A batch's stages name their document: passed on, so a page can say "document 2 of 5".
        const detail: ProgressDetail | undefined = typeof document === 'number' && typeof documents === 'number' ? { document, documents } : undefined;
        this.pending.get(id)?.onProgress?.(stage, detail);
      }
      else if (msg.method === 'tokens.changed' && msg.params) this.emit('tokens.changed', { tokenCount: Number(msg.params.tokenCount) });
      return;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    if (msg.error) p.reject(agentError(msg.error.data, msg.error.message ?? 'error'));
    else if (Array.isArray(msg.attachments)) this.expectAttachments(msg.id as number, msg.result, msg.attachments);
    else p.resolve(msg.result);
  }

  /** An answer whose documents follow as binary frames: it resolves once they have all arrived and match. */
  private expectAttachments(requestId: number, result: unknown, announces: Announce[]): void {
    const entry = { files: new Incoming(announces), requestId, result };
    if (entry.files.complete) return this.deliver(entry);
    for (const id of entry.files.ids) this.incoming.set(id, entry);
  }

  private onBinary(data: ArrayBuffer): void {
    if (data.byteLength < HEADER_BYTES) return;
    const id = new DataView(data).getUint32(0);
    const entry = this.incoming.get(id);
    if (!entry) return;
    let done: boolean;
    try {
      done = entry.files.add(id, new Uint8Array(data, HEADER_BYTES));
    } catch (err) {
      for (const i of entry.files.ids) this.incoming.delete(i);
      this.pending.get(entry.requestId)?.reject(sdkError('PROTOCOL_ERROR', { detail: (err as Error).message }));
      return;
    }
    if (!done) return;
    for (const i of entry.files.ids) this.incoming.delete(i);
    this.deliver(entry);
  }

  private deliver(entry: { files: Incoming; requestId: number; result: unknown }): void {
    entry.files.verify().then(
      (files) => this.pending.get(entry.requestId)?.resolve(resolveAttachments(entry.result, files)),
      (err: Error) => this.pending.get(entry.requestId)?.reject(sdkError('PROTOCOL_ERROR', { detail: err.message })),
    );
  }

  private onClose(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.agent = undefined;
    for (const p of [...this.pending.values()]) p.reject(sdkError('DISCONNECTED'));
    this.pending.clear();
    this.incoming.clear();
    this.emit('disconnected', undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closedByUser || this.options.reconnect === false || this.listeners['tokens.changed'].size === 0 || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch(() => {
        this.reconnectDelay = Math.min(this.reconnectDelay * 2, 30_000);
        this.scheduleReconnect();
      });
    }, this.reconnectDelay);
  }
}

/**
 * Whether something answers the probe on `port`. `no-cors`: an opaque answer is enough (only sites the user
 * allowed may read it), and the request is what triggers Chrome's Local Network Access prompt.
 */
async function probe(scheme: 'https' | 'http', port: number, timeoutMs: number): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const init: RequestInit & { targetAddressSpace?: string } = {
      mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: controller.signal,
      // Chrome's Local Network Access: declare the loopback target (also lifts mixed-content blocking once allowed).
      targetAddressSpace: 'loopback',
    };
    await fetch(`${scheme}://127.0.0.1:${port}${PROBE_PATH}`, init);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function inCrossOriginFrame(): boolean {
  try {
    return typeof window !== 'undefined' && window.top !== window.self && window.top!.location.origin !== window.location.origin;
  } catch {
    return true; // reading a cross-origin parent's location throws
  }
}

/** The browser's Local Network Access permission for loopback, when it has one. */
async function loopbackPermission(): Promise<PermissionState | 'unknown'> {
  for (const name of ['loopback-network', 'local-network-access', 'local-network']) {
    try {
      return (await navigator.permissions.query({ name: name as PermissionName })).state;
    } catch { /* not known to this browser */ }
  }
  return 'unknown';
}

const OFFICE_NAME = /\.(docx|xlsx|pptx|docm|xlsm|pptm)$/i;

function pdfParams(document: string | AttachmentRef, name: string, options: Omit<SignPdfOptions, keyof CallOptions>): PdfSignParams {
  const params: PdfSignParams = { document, fileName: name };
  for (const k of ['certificateId', 'reason', 'location', 'contactInfo', 'placement', 'appearance', 'level'] as const) {
    if (options[k] !== undefined) (params as unknown as Record<string, unknown>)[k] = options[k];
  }
  return params;
}

function docxParams(document: string | AttachmentRef, name: string, options: Omit<SignDocxOptions, keyof CallOptions>): DocxSignParams {
  return {
    document,
    fileName: name,
    ...(options.certificateId ? { certificateId: options.certificateId } : {}),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
  };
}

/** An answer's document: bytes already (it came as an attachment), or base64 from an older agent. */
const documentBytes = (d: unknown): Uint8Array => (d instanceof Uint8Array ? d : base64ToBytes(d as string));

function signedPdf(r: PdfSignResult, name: string): SignedPdf {
  const out = documentBytes(r.document);
  return { bytes: out, blob: new Blob([out as BlobPart], { type: 'application/pdf' }), fileName: signedName(name), signature: r.signature };
}

function signedDocx(r: DocxSignResult, name: string, file: Blob | ArrayBuffer | Uint8Array): SignedDocx {
  const out = documentBytes(r.document);
  const type = typeof File !== 'undefined' && file instanceof File && file.type ? file.type : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  return { bytes: out, blob: new Blob([out as BlobPart], { type }), fileName: signedName(name), signature: r.signature };
}

function cleanFileName(name: string, fallback = 'tai-lieu.pdf'): string {
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return base || fallback;
}

function signedName(name: string): string {
  const ext = /\.(pdf|docx|xlsx|pptx|docm|xlsm|pptm)$/i.exec(name);
  return ext ? `${name.slice(0, -ext[0].length)}.signed${ext[0]}` : `${name}.signed.pdf`;
}
