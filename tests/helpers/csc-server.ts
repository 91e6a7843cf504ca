/**
 * A strict Cloud Signature Consortium API v2 service for tests (CSC API v2.0.0.2, sections cited as §), on
 * 127.0.0.1 port 0. It refuses what the spec does not allow with the spec's error JSON (§10.2): unknown or missing
 * parameters, wrong types, a SAD used for a hash it was not issued for (SCAL2, §8.2), more signatures than
 * numSignatures or multisign. It signs with the fixture PKI's real keys (Vietnamese UTF8String names, sub CA →
 * root chain). The "phone" (§13.5: credentials/authorize answers 202 with a handle, credentials/authorizeCheck is
 * polled) is driven by the test: approve after N polls, decline, never answer, or expire now.
 */
import http from 'node:http';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { HashAlgorithm, SigningKey } from '../../src/core/signing-key.js';
import { ecdsaDerToRaw } from '../../src/core/token/signature-encoding.js';
import { fixtures } from './fixtures.js';
import { softwareKey, type SignerName } from './software-key.js';

export const CSC_USER = '001190012345';
export const CSC_PASSWORD = 'mật-khẩu:1';
export const CSC_CLIENT_ID = 'kyso-test-client';
export const CSC_CLIENT_SECRET = 'bí-mật-máy-khách';

const HASH_BY_OID: Record<string, { name: HashAlgorithm; length: number }> = {
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', length: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', length: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', length: 64 },
};
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
/** Signature algorithms whose hash is implicit (§11.10), by OID. */
const IMPLICIT_HASH: Record<string, HashAlgorithm> = {
  '1.2.840.113549.1.1.11': 'SHA-256', '1.2.840.113549.1.1.12': 'SHA-384', '1.2.840.113549.1.1.13': 'SHA-512',
  '1.2.840.10045.4.3.2': 'SHA-256', '1.2.840.10045.4.3.3': 'SHA-384', '1.2.840.10045.4.3.4': 'SHA-512',
};

/** What the phone does with the next signing requests. */
export type PhoneAnswer = { approveAfterPolls: number } | 'decline' | 'never' | 'expire';

export interface PhoneRequest {
  handle: string;
  credentialID: string;
  hashes: string[];
  /** authorizeCheck calls seen for it. */
  polls: number;
  state: 'pending' | 'approved' | 'declined' | 'expired';
}

export interface CscServerOptions {
  /** Credential max signatures per authorization (credentials/info multisign). */
  multisign?: number;
  /** Which fixture signers the user holds (default rsa and ec256). */
  signers?: SignerName[];
  /** Return ECDSA signatures as r||s instead of DER (services differ; the client must cope). */
  ecdsaRaw?: boolean;
  /** Offer asynchronous signHash (§11.10 operationMode "A"); signPolling answers 202 this many times first. */
  asyncPendingPolls?: number;
}

export interface CscServer {
  /** Base URI ending in /csc/v2 (§7.2). */
  baseUrl: string;
  /** The service root (oauth2 base). */
  root: string;
  /** Every call: method name and JSON body (or form fields), for asserting what left the client. */
  calls: { method: string; body: Record<string, unknown>; status: number }[];
  phone: {
    answer: PhoneAnswer;
    requests: PhoneRequest[];
  };
  /** When set, every request answers this status (503: maintenance, 500: a broken service). */
  failWith: number | undefined;
  /** A faulty service: signatures are made over another digest than the one sent. */
  signOtherDigest: boolean;
  credentialIds: Record<SignerName, string>;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string) { super(description); }
}
const bad = (description: string, error = 'invalid_request', status = 400): Refusal => new Refusal(status, error, description);

interface Sad { credentialID: string; hashes: Set<string>; hashOid: string; remaining: number; expiresAt: number }
interface Session { user?: string; client?: string }

/** The parameters a method accepts (§11.x input tables); anything else is refused. */
const ALLOWED: Record<string, string[]> = {
  'info': ['lang'],
  'auth/login': ['rememberMe', 'clientData', 'refresh_token'],
  'credentials/list': ['userID', 'credentialInfo', 'certificates', 'certInfo', 'authInfo', 'onlyValid', 'lang', 'clientData'],
  'credentials/info': ['credentialID', 'certificates', 'certInfo', 'authInfo', 'lang', 'clientData'],
  'credentials/authorize': ['credentialID', 'numSignatures', 'hashes', 'hashAlgorithmOID', 'authData', 'description', 'clientData'],
  'credentials/authorizeCheck': ['handle'],
  'signatures/signHash': ['credentialID', 'SAD', 'hashes', 'hashAlgorithmOID', 'signAlgo', 'signAlgoParams', 'operationMode', 'validity_period', 'response_uri', 'clientData'],
  'signatures/signPolling': ['requestID', 'userID', 'clientData'],
};

function requireString(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw bad(`Missing (or invalid type) string parameter ${name}`);
  return v;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size <= 1 << 20) chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startCscServer(options: CscServerOptions = {}): Promise<CscServer> {
  const pki = fixtures().pki;
  const signers = options.signers ?? ['rsa', 'ec256'];
  const multisign = options.multisign ?? 10;
  const chain = [pki.subCa, pki.rootCa].map((f) => Buffer.from(new X509Certificate(readFileSync(f)).raw).toString('base64'));
  const credentials = new Map<string, { signer: SignerName; key: SigningKey; cert: string }>();
  const credentialIds = {} as Record<SignerName, string>;
  for (const s of signers) {
    const id = `cred-${s}-${randomBytes(3).toString('hex')}`;
    const f = pki.signers[s];
    const key = softwareKey(readFileSync(f.cert, 'utf8'), readFileSync(f.key, 'utf8'));
    credentials.set(id, { signer: s, key, cert: Buffer.from(key.certificate).toString('base64') });
    credentialIds[s] = id;
  }
  const tokens = new Map<string, Session>();
  const sads = new Map<string, Sad>();
  const asyncResults = new Map<string, { signatures: string[]; pendingPolls: number }>();
  const sockets = new Set<import('node:net').Socket>();

  const keyAlgos = (s: SignerName): string[] => (s === 'rsa' ? [RSA_ENCRYPTION, '1.2.840.113549.1.1.11'] : ['1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3']);
  const credentialInfo = (id: string, withId: boolean, certificates: string): Record<string, unknown> => {
    const c = credentials.get(id)!;
    return {
      ...(withId ? { credentialID: id } : {}),
      key: { status: 'enabled', algo: keyAlgos(c.signer), len: c.key.keySize, ...(c.signer === 'rsa' ? {} : { curve: '1.2.840.10045.3.1.7' }) },
      cert: { status: 'valid', certificates: certificates === 'none' ? [] : certificates === 'chain' ? [c.cert, ...chain] : [c.cert] },
      auth: { mode: 'explicit', objects: [{ type: 'ChallengeResponseOOB', id: 'phone', label: 'Ứng dụng trên điện thoại' }] },
      SCAL: '2',
      multisign,
      lang: 'vi-VN',
    };
  };

  const session = (req: http.IncomingMessage): Session => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const s = m ? tokens.get(m[1]!) : undefined;
    if (!s) throw bad('The access token is not valid', 'invalid_token', 401);
    return s;
  };
  const ownCredential = (s: Session, id: string): void => {
    // A client-credentials session may use any credential of the user it named; a user session only its own.
    if (!credentials.has(id)) throw bad('Invalid parameter credentialID');
    if (s.user !== undefined && s.user !== CSC_USER) throw bad('Invalid parameter credentialID');
  };

  const methods: Record<string, (body: Record<string, unknown>, req: http.IncomingMessage) => { status?: number; json: Record<string, unknown> }> = {
    'info': () => ({ json: {
      specs: '2.0.0.2', name: 'Dịch vụ ký số thử nghiệm', logo: `${server.root}/logo.png`, region: 'VN', lang: 'vi-VN',
      description: 'CSC v2 test service', authType: ['basic', 'oauth2client'], oauth2: server.root,
      asynchronousOperationMode: options.asyncPendingPolls !== undefined,
      methods: ['auth/login', 'credentials/list', 'credentials/info', 'credentials/authorize', 'credentials/authorizeCheck', 'signatures/signHash', ...(options.asyncPendingPolls !== undefined ? ['signatures/signPolling'] : [])],
      signAlgorithms: { algos: [RSA_ENCRYPTION, '1.2.840.113549.1.1.11', '1.2.840.10045.4.3.2', '1.2.840.10045.4.3.3'] },
      signature_formats: { formats: ['C', 'P'] }, conformance_levels: ['Ades-B-B'],
    } }),
    'auth/login': (_body, req) => {
      const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
      if (!m) throw bad('Malformed authentication parameter', 'invalid_request', 401);
      const text = Buffer.from(m[1]!, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon < 0) throw bad('Malformed username-password');
      if (text.slice(0, colon) !== CSC_USER || text.slice(colon + 1) !== CSC_PASSWORD) throw bad('An error occurred during authentication process', 'authentication_error');
      const token = randomBytes(16).toString('hex');
      tokens.set(token, { user: CSC_USER });
      return { json: { access_token: token, expires_in: 3600 } };
    },
    'credentials/list': (body, req) => {
      const s = session(req);
      if (s.user !== undefined && body.userID !== undefined) throw bad('userID parameter MUST be null');
      if (s.user === undefined && body.userID !== CSC_USER) throw bad('Invalid parameter userID');
      const certificates = body.certificates ?? 'single';
      if (!['none', 'single', 'chain'].includes(String(certificates))) throw bad('Invalid parameter certificates');
      const ids = [...credentials.keys()];
      return { json: { credentialIDs: ids, ...(body.credentialInfo === true ? { credentialInfos: ids.map((id) => credentialInfo(id, true, String(certificates))) } : {}) } };
    },
    'credentials/info': (body, req) => {
      const s = session(req);
      const id = requireString(body, 'credentialID');
      ownCredential(s, id);
      const certificates = body.certificates ?? 'single';
      if (!['none', 'single', 'chain'].includes(String(certificates))) throw bad('Invalid parameter certificates');
      return { json: credentialInfo(id, false, String(certificates)) };
    },
    'credentials/authorize': (body, req) => {
      const s = session(req);
      const id = requireString(body, 'credentialID');
      ownCredential(s, id);
      const n = body.numSignatures;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw bad('Missing (or invalid type) integer parameter numSignatures');
      if (n < 1) throw bad('Invalid value for parameter numSignatures');
      if (n > multisign) throw bad('Numbers of signatures is too high');
      // SCAL2 (§8.2): the hashes are required and the SAD is bound to exactly them.
      const hashOid = requireString(body, 'hashAlgorithmOID');
      const hash = HASH_BY_OID[hashOid];
      if (!hash) throw bad('Invalid parameter hashAlgorithmOID');
      const hashes = body.hashes;
      if (!Array.isArray(hashes) || hashes.length === 0 || !hashes.every((h) => typeof h === 'string')) throw bad('Missing (or invalid type) array parameter hashes');
      if (hashes.length !== n) throw bad('numSignatures does not match the number of hashes');
      for (const h of hashes as string[]) if (Buffer.from(h, 'base64').length !== hash.length || Buffer.from(h, 'base64').toString('base64') !== h) throw bad('Invalid digest value length');
      const authData = body.authData;
      if (!Array.isArray(authData) || authData.length !== 1 || typeof authData[0] !== 'object' || authData[0] === null
        || (authData[0] as Record<string, unknown>).id !== 'phone' || Object.keys(authData[0] as object).length !== 1) {
        throw bad('The authentication data is invalid', 'invalid_authentication_data');
      }
      if (body.description !== undefined && (typeof body.description !== 'string' || body.description.length > 500)) throw bad('Invalid parameter description');
      const handle = randomBytes(12).toString('hex');
      server.phone.requests.push({ handle, credentialID: id, hashes: hashes as string[], polls: 0, state: 'pending' });
      pendingHashes.set(handle, { hashOid, n });
      return { status: 202, json: { handle } };
    },
    'credentials/authorizeCheck': (body, req) => {
      session(req);
      const handle = requireString(body, 'handle');
      const r = server.phone.requests.find((p) => p.handle === handle);
      if (!r) throw bad('Invalid parameter handle');
      r.polls++;
      const answer = server.phone.answer;
      if (r.state === 'pending') {
        if (answer === 'decline') r.state = 'declined';
        else if (answer === 'expire') r.state = 'expired';
        else if (answer !== 'never' && r.polls > answer.approveAfterPolls) r.state = 'approved';
      }
      if (r.state === 'declined') throw bad('The user declined the signing request on the phone', 'access_denied');
      if (r.state === 'expired') throw bad('The signing request expired before the user answered', 'expired_token');
      if (r.state === 'pending') return { status: 202, json: { handle } };
      const { hashOid, n } = pendingHashes.get(handle)!;
      pendingHashes.delete(handle);
      r.state = 'expired'; // a handle yields its SAD once
      const sad = randomBytes(16).toString('hex');
      sads.set(sad, { credentialID: r.credentialID, hashes: new Set(r.hashes), hashOid, remaining: n, expiresAt: Date.now() + 300_000 });
      return { json: { SAD: sad, expiresIn: 300 } };
    },
    'signatures/signHash': (body, req) => {
      const s = session(req);
      const id = requireString(body, 'credentialID');
      ownCredential(s, id);
      const sadValue = requireString(body, 'SAD');
      const sad = sads.get(sadValue);
      if (!sad || sad.credentialID !== id) throw bad('Invalid parameter SAD');
      if (sad.expiresAt < Date.now()) throw bad('SAD expired');
      const hashes = body.hashes;
      if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'string')) throw bad('Missing (or invalid type) array parameter hash');
      if (hashes.length === 0) throw bad('Empty hash array');
      const signAlgo = requireString(body, 'signAlgo');
      const c = credentials.get(id)!;
      if (!keyAlgos(c.signer).includes(signAlgo)) throw bad('Invalid parameter signAlgo');
      let hashName: HashAlgorithm;
      if (signAlgo === RSA_ENCRYPTION) {
        const oid = requireString(body, 'hashAlgorithmOID');
        if (!HASH_BY_OID[oid]) throw bad('Invalid parameter hashAlgorithmOID');
        hashName = HASH_BY_OID[oid]!.name;
      } else {
        hashName = IMPLICIT_HASH[signAlgo]!;
        if (body.hashAlgorithmOID !== undefined && HASH_BY_OID[String(body.hashAlgorithmOID)]?.name !== hashName) throw bad('Invalid parameter hashAlgorithmOID');
      }
      if (HASH_BY_OID[sad.hashOid]!.name !== hashName) throw bad('Hash is not authorized by the SAD');
      for (const h of hashes as string[]) if (!sad.hashes.has(h)) throw bad('Hash is not authorized by the SAD');
      if (hashes.length > sad.remaining) throw bad('Numbers of signatures is too high');
      if (body.operationMode !== undefined && body.operationMode !== 'A' && body.operationMode !== 'S') throw bad('Invalid parameter operationMode');
      sad.remaining -= hashes.length;
      for (const h of hashes as string[]) sad.hashes.delete(h);
      if (sad.remaining === 0) sads.delete(sadValue);
      const signatures = (hashes as string[]).map((h) => signNow(c.key, c.signer, Buffer.from(h, 'base64'), hashName));
      if (body.operationMode === 'A') {
        if (options.asyncPendingPolls === undefined) throw bad('Invalid parameter operationMode');
        const responseID = randomBytes(8).toString('hex');
        asyncResults.set(responseID, { signatures: [], pendingPolls: options.asyncPendingPolls });
        void Promise.all(signatures).then((v) => { asyncResults.get(responseID)!.signatures = v; });
        return { json: { responseID } };
      }
      return { json: { signatures } as unknown as Record<string, unknown> };
    },
    'signatures/signPolling': (body, req) => {
      const s = session(req);
      if (s.user !== undefined && body.userID !== undefined) throw bad('userID parameter SHALL be null');
      const id = requireString(body, 'requestID');
      const r = asyncResults.get(id);
      if (!r) throw bad('Invalid parameter requestID');
      if (r.pendingPolls > 0 || r.signatures.length === 0) {
        r.pendingPolls--;
        return { status: 202, json: { error: 'accepted_request', error_description: 'The previous async request has been accepted but not yet completed' } };
      }
      asyncResults.delete(id);
      return { json: { signatures: r.signatures } };
    },
  };
  const pendingHashes = new Map<string, { hashOid: string; n: number }>();

  const signNow = (key: SigningKey, _signer: SignerName, digest: Uint8Array, hash: HashAlgorithm): Promise<string> => key.signDigest(server.signOtherDigest ? digest.map((b, i) => (i === 0 ? b ^ 1 : b)) : digest, hash).then((sig) => {
    const out = options.ecdsaRaw && key.keyType === 'EC' ? ecdsaDerToRaw(sig, Math.ceil(key.keySize / 8)) : sig;
    return Buffer.from(out).toString('base64');
  });

  const httpServer = http.createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://x');
      let method = '';
      let body: Record<string, unknown> = {};
      const reply = (status: number, json: Record<string, unknown>): void => {
        server.calls.push({ method, body, status });
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      };
      try {
        if (server.failWith !== undefined) throw new Refusal(server.failWith, 'temporarily_unavailable', 'Service under maintenance');
        if (req.method !== 'POST') throw bad('Only POST', 'invalid_request', 405);
        if (url.pathname === '/oauth2/token') {
          method = 'oauth2/token';
          if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) throw bad('Parameters SHALL be form-encoded');
          const form = new URLSearchParams(raw.toString('utf8'));
          body = Object.fromEntries([...form.keys()].map((k) => [k, k === 'client_secret' ? '(secret)' : form.get(k)]));
          if (!form.get('client_id')) throw bad('Missing parameter client_id');
          if (form.get('grant_type') !== 'client_credentials') throw bad('Invalid parameter grant_type');
          if (form.get('client_id') !== CSC_CLIENT_ID) throw bad('Invalid parameter client_id');
          if (form.get('client_secret') !== CSC_CLIENT_SECRET) throw bad('Invalid parameter client_secret', 'invalid_client', 401);
          const token = randomBytes(16).toString('hex');
          tokens.set(token, { client: CSC_CLIENT_ID });
          return reply(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
        }
        const m = /^\/csc\/v2\/(.+)$/.exec(url.pathname);
        method = m?.[1] ?? url.pathname;
        const handler = methods[method];
        if (!handler) throw bad(`Unknown method ${method}`, 'invalid_request', 501);
        if (!/^application\/json/.test(req.headers['content-type'] ?? '')) throw bad('Content-Type SHALL be application/json');
        let parsed: unknown;
        try { parsed = JSON.parse(raw.toString('utf8') || '{}'); } catch { throw bad('Malformed JSON'); }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('Malformed JSON');
        body = parsed as Record<string, unknown>;
        for (const k of Object.keys(body)) if (!ALLOWED[method]!.includes(k)) throw bad(`Unknown parameter ${k}`);
        const out = handler(body, req);
        const json = out.json as Record<string, unknown> & { signatures?: unknown };
        if (Array.isArray(json.signatures) && json.signatures.some((x) => x instanceof Promise)) json.signatures = await Promise.all(json.signatures as Promise<string>[]);
        reply(out.status ?? 200, json);
      } catch (e) {
        if (e instanceof Refusal) reply(e.status, { error: e.error, error_description: e.description });
        else reply(500, { error: 'server_error', error_description: String(e) });
      }
    })();
  });
  httpServer.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as AddressInfo).port;
  const server: CscServer = {
    root: `http://127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/csc/v2`,
    calls: [],
    phone: { answer: { approveAfterPolls: 1 }, requests: [] },
    failWith: undefined,
    signOtherDigest: false,
    credentialIds,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); httpServer.close(() => resolve()); }),
  };
  return server;
}
