/**
 * A client of the Cloud Signature Consortium API v2 (CSC API v2.0.0.2; sections cited as §): one method per API
 * call, JSON in and out through the core's HTTP helper, answers capped in size and checked in shape, every failure
 * a typed KysoError. It knows nothing of documents or approvals windows: remote-source.ts drives it.
 * Only digests are ever sent (signatures/signHash), never a document (signatures/signDoc is not used).
 */
import { KysoError } from '../errors.js';
import { httpRequest, HttpTooLarge, HttpUnreachable, redactUrl } from '../net/http.js';

/** Largest answer taken from a CSC service: a credential list with chains is a few tens of KB. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

/** §11.1 info: what the service implements. */
export interface CscInfo {
  specs: string;
  name: string;
  authType: string[];
  oauth2?: string;
  oauth2Issuer?: string;
  asynchronousOperationMode?: boolean;
  methods: string[];
}

/** §8.3 an authentication object type of a credential (auth/objects). */
export interface CscAuthObjectType { type: string; id: string; label?: string; description?: string; format?: string }

/** §11.4/§11.5 CredentialInfo, the fields Kyso uses. */
export interface CscCredentialInfo {
  credentialID: string;
  key: { status: string; algo: string[]; len: number; curve?: string };
  cert: { status?: string; certificates: string[] };
  auth: { mode: string; expression?: string; objects?: CscAuthObjectType[] };
  SCAL: '1' | '2';
  multisign: number;
}

/** The outcome of credentials/authorize or credentials/authorizeCheck (§11.6, §11.7). */
export type CscAuthorization = { SAD: string; expiresIn?: number } | { handle: string };

export interface CscCallOptions { signal?: AbortSignal }

/** The service's error JSON (§10.2). */
interface CscErrorBody { error?: unknown; error_description?: unknown }

/** Longest opaque value (token, SAD, handle, responseID) taken and sent back: they are short in every service. */
const MAX_OPAQUE = 8192;
const opaque = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_OPAQUE;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Names the answer that does not have the shape the spec gives it (a broken or foreign service). */
function malformed(method: string, what: string): KysoError {
  return new KysoError('REMOTE_UNREACHABLE', `${method}: the answer is not a CSC v2 answer (${what})`);
}

export class CscClient {
  /** The base URI ending in `/csc/v2` (§7.2), without a trailing slash. */
  readonly base: string;
  private token: string | undefined;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The service access token used as `Authorization: Bearer` from now on (§8.1). */
  setAccessToken(token: string | undefined): void {
    this.token = token;
  }

  /** §11.1 info (unauthenticated). */
  async info(options: CscCallOptions = {}): Promise<CscInfo> {
    const r = await this.call('info', {}, options, { bearer: false });
    if (typeof r.body.name !== 'string' || !isStringArray(r.body.methods) || !isStringArray(r.body.authType)) throw malformed('info', 'name, methods, authType');
    return {
      specs: typeof r.body.specs === 'string' ? r.body.specs : '',
      name: r.body.name,
      authType: r.body.authType,
      methods: r.body.methods,
      ...(typeof r.body.oauth2 === 'string' ? { oauth2: r.body.oauth2 } : {}),
      ...(typeof r.body.oauth2Issuer === 'string' ? { oauth2Issuer: r.body.oauth2Issuer } : {}),
      ...(r.body.asynchronousOperationMode === true ? { asynchronousOperationMode: true } : {}),
    };
  }

  /** §11.2 auth/login with HTTP Basic: the user's id and password go in the Authorization header only. */
  async login(userId: string, password: string, options: CscCallOptions = {}): Promise<{ accessToken: string; expiresIn: number }> {
    const r = await this.call('auth/login', {}, options, { bearer: false, basic: { username: userId, password } });
    return tokenFrom('auth/login', r.body);
  }

  /** §8.4.4 oauth2/token, client credentials grant (form-encoded, client authenticated in the body). */
  async clientCredentialsToken(oauth2Base: string, clientId: string, clientSecret: string, options: CscCallOptions = {}): Promise<{ accessToken: string; expiresIn: number }> {
    const url = `${oauth2Base.replace(/\/+$/, '')}/oauth2/token`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    const r = await this.exchange('oauth2/token', url, Buffer.from(form.toString(), 'utf8'), 'application/x-www-form-urlencoded', options, {});
    return tokenFrom('oauth2/token', r.body);
  }

  /** §11.4 credentials/list with credential infos, chains and authentication objects in one round trip. */
  async listCredentials(userId: string | undefined, options: CscCallOptions = {}): Promise<{ ids: string[]; infos: CscCredentialInfo[] | undefined }> {
    const body = { ...(userId !== undefined ? { userID: userId } : {}), credentialInfo: true, certificates: 'chain', certInfo: false, authInfo: true };
    const r = await this.call('credentials/list', body, options);
    if (!isStringArray(r.body.credentialIDs)) throw malformed('credentials/list', 'credentialIDs');
    const infos = Array.isArray(r.body.credentialInfos) ? r.body.credentialInfos.map((i) => credentialInfoFrom('credentials/list', i, undefined)) : undefined;
    return { ids: r.body.credentialIDs.slice(0, 100), infos };
  }

  /** §11.5 credentials/info. */
  async credentialInfo(credentialId: string, options: CscCallOptions = {}): Promise<CscCredentialInfo> {
    const r = await this.call('credentials/info', { credentialID: credentialId, certificates: 'chain', certInfo: false, authInfo: true }, options);
    return credentialInfoFrom('credentials/info', r.body, credentialId);
  }

  /**
   * §11.6 credentials/authorize for `hashes` (SCAL2: the SAD is bound to exactly these hashes). An answer 202
   * carries a `handle`: the user approves elsewhere (§13.5, a phone app) and credentials/authorizeCheck polls.
   */
  async authorize(request: { credentialId: string; hashes: readonly string[]; hashAlgorithmOID: string; authData: readonly { id: string; value?: string }[]; description?: string }, options: CscCallOptions = {}): Promise<CscAuthorization> {
    const body = {
      credentialID: request.credentialId,
      numSignatures: request.hashes.length,
      hashes: request.hashes,
      hashAlgorithmOID: request.hashAlgorithmOID,
      authData: request.authData,
      ...(request.description ? { description: request.description.slice(0, 500) } : {}),
    };
    return authorizationFrom('credentials/authorize', await this.call('credentials/authorize', body, options, { accept202: true }));
  }

  /** §11.7 credentials/authorizeCheck: 200 with the SAD once approved, 202 while the user has not answered. */
  async authorizeCheck(handle: string, options: CscCallOptions = {}): Promise<CscAuthorization> {
    return authorizationFrom('credentials/authorizeCheck', await this.call('credentials/authorizeCheck', { handle }, options, { accept202: true }));
  }

  /**
   * §11.10 signatures/signHash. `hashAlgorithmOID` only with a signAlgo that does not imply the hash (RSA
   * 1.2.840.113549.1.1.1). Synchronous: the signatures, in the order of `hashes`; asynchronous ("A"): a responseID.
   */
  async signHash(request: { credentialId: string; SAD: string; hashes: readonly string[]; signAlgo: string; hashAlgorithmOID?: string; operationMode?: 'A' | 'S' }, options: CscCallOptions = {}): Promise<{ signatures: string[] } | { responseID: string }> {
    const body = {
      credentialID: request.credentialId,
      SAD: request.SAD,
      hashes: request.hashes,
      signAlgo: request.signAlgo,
      ...(request.hashAlgorithmOID ? { hashAlgorithmOID: request.hashAlgorithmOID } : {}),
      ...(request.operationMode ? { operationMode: request.operationMode } : {}),
    };
    const r = await this.call('signatures/signHash', body, options);
    if (request.operationMode === 'A') {
      if (!opaque(r.body.responseID)) throw malformed('signatures/signHash', 'responseID');
      return { responseID: r.body.responseID };
    }
    return { signatures: signaturesFrom('signatures/signHash', r.body, request.hashes.length) };
  }

  /** §11.12 signatures/signPolling: the signatures once made, undefined while the service answers 202 accepted_request. */
  async signPolling(requestId: string, count: number, options: CscCallOptions = {}): Promise<string[] | undefined> {
    const r = await this.call('signatures/signPolling', { requestID: requestId }, options, { accept202: true });
    if (r.status === 202) return undefined;
    return signaturesFrom('signatures/signPolling', r.body, count);
  }

  private call(method: string, body: object, options: CscCallOptions, how: { bearer?: boolean; basic?: { username: string; password: string }; accept202?: boolean } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = {};
    if (how.bearer !== false && this.token) headers.Authorization = `Bearer ${this.token}`;
    return this.exchange(method, `${this.base}/${method}`, Buffer.from(JSON.stringify(body), 'utf8'), 'application/json', options, { ...how, headers });
  }

  private async exchange(method: string, url: string, body: Uint8Array, contentType: string, options: CscCallOptions, how: { basic?: { username: string; password: string }; accept202?: boolean; headers?: Record<string, string> }): Promise<{ status: number; body: Record<string, unknown> }> {
    if (options.signal?.aborted) throw new KysoError('USER_CANCELLED');
    let res;
    try {
      res = await abortable(httpRequest({
        url,
        method: 'POST',
        body,
        headers: { 'Content-Type': contentType, Accept: 'application/json', ...how.headers },
        ...(how.basic ? { username: how.basic.username, password: how.basic.password } : {}),
        timeoutMs: REQUEST_TIMEOUT_MS,
        maxBytes: MAX_ANSWER_BYTES,
        // Cancelling closes the connection too, so a cancelled command does not linger for the request's deadline.
        ...(options.signal ? { signal: options.signal } : {}),
      }), options.signal);
    } catch (e) {
      if (e instanceof KysoError) throw e;
      if (e instanceof HttpUnreachable) throw new KysoError('REMOTE_UNREACHABLE', `${method}: ${e.message}`);
      if (e instanceof HttpTooLarge) throw new KysoError('REMOTE_UNREACHABLE', `${method}: ${e.message}`);
      throw new KysoError('REMOTE_UNREACHABLE', `${method} ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    let parsed: unknown;
    try {
      parsed = res.body.length ? JSON.parse(Buffer.from(res.body).toString('utf8')) : {};
    } catch {
      parsed = undefined;
    }
    if (res.status === 200 || (how.accept202 && res.status === 202)) {
      if (!isRecord(parsed)) throw malformed(method, `HTTP ${res.status} without a JSON object`);
      return { status: res.status, body: parsed };
    }
    throw errorFrom(method, res.status, isRecord(parsed) ? parsed : {});
  }
}

/**
 * A refusal, typed (§10): 5xx and 429 — the service is not there for us now; 401, invalid_grant, invalid_token,
 * expired_token, authentication_error, invalid_authentication_data — the account or its secret; access_denied —
 * the user (or the service on their behalf) said no. Anything else is a request the service found wrong: that is
 * Kyso's or the service's fault, reported with its text so that it can be fixed.
 */
export function errorFrom(method: string, status: number, body: CscErrorBody): KysoError {
  const error = typeof body.error === 'string' ? body.error.slice(0, 80) : '';
  const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 300) : '';
  const detail = `${method}: HTTP ${status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`;
  if (status >= 500 || status === 429 || error === 'temporarily_unavailable' || error === 'server_error') return new KysoError('REMOTE_UNREACHABLE', detail);
  if (error === 'access_denied') return new KysoError('REMOTE_REJECTED', detail);
  if (status === 401 || ['invalid_grant', 'invalid_token', 'expired_token', 'authentication_error', 'invalid_authentication_data', 'invalid_client', 'unauthorized_client'].includes(error)) {
    return new KysoError('REMOTE_AUTH_FAILED', detail);
  }
  return new KysoError('SIGNING_FAILED', detail);
}

function tokenFrom(method: string, body: Record<string, unknown>): { accessToken: string; expiresIn: number } {
  if (!opaque(body.access_token)) throw malformed(method, 'access_token');
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
  return { accessToken: body.access_token, expiresIn };
}

function credentialInfoFrom(method: string, v: unknown, id: string | undefined): CscCredentialInfo {
  if (!isRecord(v)) throw malformed(method, 'credential info');
  const credentialID = id ?? v.credentialID;
  const key = v.key;
  const cert = v.cert;
  const auth = v.auth;
  if (typeof credentialID !== 'string' || !isRecord(key) || !isRecord(cert) || !isRecord(auth)) throw malformed(method, 'credentialID, key, cert, auth');
  if (!isStringArray(key.algo) || typeof key.len !== 'number' || typeof key.status !== 'string') throw malformed(method, 'key');
  if (!isStringArray(cert.certificates) || cert.certificates.length === 0) throw malformed(method, 'cert/certificates');
  if (typeof auth.mode !== 'string') throw malformed(method, 'auth/mode');
  const objects = Array.isArray(auth.objects)
    ? auth.objects.filter(isRecord).filter((o) => typeof o.type === 'string' && typeof o.id === 'string').map((o) => ({
      type: o.type as string, id: o.id as string,
      ...(typeof o.label === 'string' ? { label: o.label } : {}),
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
      ...(typeof o.format === 'string' ? { format: o.format } : {}),
    }))
    : undefined;
  const multisign = typeof v.multisign === 'number' && Number.isInteger(v.multisign) && v.multisign >= 1 ? Math.min(v.multisign, 1000) : 1;
  return {
    credentialID,
    key: { status: key.status, algo: key.algo, len: key.len, ...(typeof key.curve === 'string' ? { curve: key.curve } : {}) },
    cert: { ...(typeof cert.status === 'string' ? { status: cert.status } : {}), certificates: cert.certificates.slice(0, 10) },
    auth: { mode: auth.mode, ...(typeof auth.expression === 'string' ? { expression: auth.expression } : {}), ...(objects ? { objects } : {}) },
    // §11.4: SCAL defaults to "1" when absent.
    SCAL: v.SCAL === '2' ? '2' : '1',
    multisign,
  };
}

function authorizationFrom(method: string, r: { status: number; body: Record<string, unknown> }): CscAuthorization {
  if (r.status === 202) {
    if (!opaque(r.body.handle)) throw malformed(method, 'handle');
    return { handle: r.body.handle };
  }
  if (!opaque(r.body.SAD)) throw malformed(method, 'SAD');
  return { SAD: r.body.SAD, ...(typeof r.body.expiresIn === 'number' ? { expiresIn: r.body.expiresIn } : {}) };
}

function signaturesFrom(method: string, body: Record<string, unknown>, count: number): string[] {
  if (!isStringArray(body.signatures)) throw malformed(method, 'signatures');
  // §11.10: one signature per hash, in the same order; any other count cannot be matched to the documents.
  if (body.signatures.length !== count) throw new KysoError('SIGNING_FAILED', `${method}: ${body.signatures.length} signatures for ${count} hashes`);
  return body.signatures;
}

/** Races a request with the caller's AbortSignal: cancelling stops waiting at once (USER_CANCELLED). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new KysoError('USER_CANCELLED'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new KysoError('USER_CANCELLED'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

/** Waits `ms`, or until the signal fires (USER_CANCELLED). */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new KysoError('USER_CANCELLED'));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { clearTimeout(timer); reject(new KysoError('USER_CANCELLED')); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
