/**
 * The remote key source over CSC v2 services: opens a session per account (asking its secret through the caller,
 * never keeping it), lists each account's credentials as certificates (id = SHA-256 fingerprint, like token
 * certificates), and makes signing keys whose digests are gathered (gathering-key.ts) and approved on the phone:
 * credentials/authorize with the hashes (SCAL2), credentials/authorizeCheck while the phone has not answered
 * (CSC v2 §13.5), then signatures/signHash.
 */
import { KysoError, toKysoError } from '../errors.js';
import { parseCertificate } from '../cert/parse.js';
import type { HashAlgorithm } from '../signing-key.js';
import { CscClient, sleep, type CscAuthorization, type CscCredentialInfo } from './csc-client.js';
import { HASH_OID, normalizeSignature, signAlgorithmFor } from './csc-algorithms.js';
import { GatheringKey } from './gathering-key.js';
import { findProvider, userIdFor } from './providers.js';
import type { ApprovalListener, RemoteAccount, RemoteCertificate, RemoteKeySource, RemoteProvider, RemoteSigningKey } from './types.js';

/** What a secret is asked for: the account's password (auth/login), the client secret (oauth2/token), or a credential PIN (authData). */
export interface SecretRequest {
  readonly kind: 'password' | 'client-secret' | 'credential-pin';
  readonly account: RemoteAccount;
  readonly provider: RemoteProvider;
  /** The service's label for a credential PIN (credentials/info auth/objects). */
  readonly label?: string;
}
/** Asks a person (or a script's stdin) for a secret; it is used for one request and never stored or logged. */
export type AskSecret = (request: SecretRequest, signal?: AbortSignal) => Promise<string>;

export interface CscKeySourceOptions {
  /** The accounts (a RemoteAccountStore's list, re-read each call). */
  accounts: () => readonly RemoteAccount[];
  providers: readonly RemoteProvider[];
  askSecret: AskSecret;
}

const DEFAULT_APPROVAL_MS = 5 * 60_000;
const DEFAULT_POLL_MS = 2_000;
/** A session token is renewed this long before the service said it expires. */
const TOKEN_MARGIN_MS = 30_000;
/** authData types answered out of band (§8.3.1.3, §8.3.1.5): an empty object tells the service to ask the phone. */
const OUT_OF_BAND = new Set(['PasswordOOB', 'ChallengeResponseOOB']);

interface Session { client: CscClient; expiresAt: number }
interface Known { certificate: RemoteCertificate; credential: CscCredentialInfo; provider: RemoteProvider }

export class CscKeySource implements RemoteKeySource {
  private readonly sessions = new Map<string, Session>();
  private readonly opening = new Map<string, Promise<Session>>();
  private readonly known = new Map<string, Known>();

  constructor(private readonly options: CscKeySourceOptions) {}

  accounts(): readonly RemoteAccount[] {
    return this.options.accounts();
  }

  async certificates(options: { accountId?: string; signal?: AbortSignal } = {}): Promise<RemoteCertificate[]> {
    const accounts = this.accounts().filter((a) => options.accountId === undefined || a.id === options.accountId);
    if (options.accountId !== undefined && accounts.length === 0) throw new KysoError('BAD_REQUEST', `no remote signing account "${options.accountId}"`);
    const out: RemoteCertificate[] = [];
    for (const account of accounts) out.push(...await this.accountCertificates(account, options.signal));
    return out;
  }

  async signingKey(certificateId: string, options: { documents: number; onApproval: ApprovalListener; signal?: AbortSignal }): Promise<RemoteSigningKey> {
    let known = this.known.get(certificateId);
    if (!known) {
      await this.certificates(options.signal ? { signal: options.signal } : {});
      known = this.known.get(certificateId);
    }
    if (!known) throw new KysoError('CERTIFICATE_NOT_FOUND', `no remote certificate ${certificateId}`);
    const { certificate, credential, provider } = known;
    if (credential.key.status !== 'enabled') throw new KysoError('SIGNING_FAILED', `${provider.name}: the key of this certificate is disabled`);
    const signal = options.signal;
    return new GatheringKey(certificate, options.documents, (digests, hash, approval) => this.approveAndSign(known!, digests, hash, approval, options.onApproval, options.documents, signal), signal);
  }

  private async accountCertificates(account: RemoteAccount, signal: AbortSignal | undefined): Promise<RemoteCertificate[]> {
    const provider = findProvider(this.options.providers, account.providerId);
    const session = await this.session(account, provider, signal);
    // With basic auth the session is the user's own, so userID SHALL NOT be sent (§11.4); with client credentials it names them.
    const userId = (provider.auth?.type ?? 'basic') === 'oauth2client' ? userIdFor(provider, account) : undefined;
    const listed = await session.client.listCredentials(userId, signal ? { signal } : {});
    const infos = listed.infos ?? await Promise.all(listed.ids.map((id) => session.client.credentialInfo(id, signal ? { signal } : {})));
    const out: RemoteCertificate[] = [];
    for (const credential of infos) {
      const [leaf, ...chain] = credential.cert.certificates.map((b64) => new Uint8Array(Buffer.from(b64, 'base64')));
      let info;
      try {
        info = parseCertificate(leaf!);
      } catch (e) {
        throw new KysoError('REMOTE_UNREACHABLE', `${provider.name}: credential ${credential.credentialID} has no readable certificate (${e instanceof Error ? e.message : String(e)})`);
      }
      const certificate: RemoteCertificate = {
        kind: 'remote',
        id: info.fingerprint,
        account,
        provider: { id: provider.id, name: provider.name, app: provider.app },
        credentialId: credential.credentialID,
        der: leaf!,
        chain,
        info,
        multiSign: credential.multisign,
      };
      this.known.set(certificate.id, { certificate, credential, provider });
      out.push(certificate);
    }
    return out;
  }

  /**
   * A session token for the account, opened with its secret when there is none or it is about to expire. Callers
   * at the same moment share one opening: the person is asked for the password once.
   */
  private session(account: RemoteAccount, provider: RemoteProvider, signal: AbortSignal | undefined): Promise<Session> {
    const cached = this.sessions.get(account.id);
    if (cached && cached.expiresAt - TOKEN_MARGIN_MS > Date.now()) return Promise.resolve(cached);
    let opening = this.opening.get(account.id);
    if (!opening) {
      opening = this.openSession(account, provider, signal).finally(() => this.opening.delete(account.id));
      this.opening.set(account.id, opening);
    }
    return opening;
  }

  private async openSession(account: RemoteAccount, provider: RemoteProvider, signal: AbortSignal | undefined): Promise<Session> {
    const client = new CscClient(provider.baseUrl);
    const call = signal ? { signal } : {};
    const info = await client.info(call);
    const auth = provider.auth ?? { type: 'basic' as const };
    let token: { accessToken: string; expiresIn: number };
    if (auth.type === 'basic') {
      if (!info.authType.includes('basic') || !info.methods.includes('auth/login')) throw new KysoError('REMOTE_AUTH_FAILED', `${provider.name} does not offer auth/login with a password (authType ${info.authType.join(', ')})`);
      const password = await this.options.askSecret({ kind: 'password', account, provider }, signal);
      token = await client.login(userIdFor(provider, account), password, call);
    } else {
      // §11.1: `oauth2` is the authorization server's base URI; a service naming only `oauth2Issuer` needs RFC 8414
      // discovery, which is not implemented: refused plainly rather than guessing a token endpoint.
      const oauth2 = info.oauth2;
      if (!info.authType.includes('oauth2client') || !oauth2) throw new KysoError('REMOTE_AUTH_FAILED', `${provider.name} does not offer OAuth 2.0 client credentials at an oauth2 base URI`);
      const secret = await this.options.askSecret({ kind: 'client-secret', account, provider }, signal);
      token = await client.clientCredentialsToken(oauth2, auth.clientId, secret, call);
    }
    client.setAccessToken(token.accessToken);
    const session = { client, expiresAt: Date.now() + token.expiresIn * 1000 };
    this.sessions.set(account.id, session);
    return session;
  }

  /** One approval: authorize the hashes, wait for the phone, sign; the notice is open exactly while the phone is asked. */
  private async approveAndSign(known: Known, digests: readonly Uint8Array[], hash: HashAlgorithm, approval: { index: number; of: number }, onApproval: ApprovalListener, documents: number, signal: AbortSignal | undefined): Promise<Uint8Array[]> {
    const { certificate, credential, provider } = known;
    const call = signal ? { signal } : {};
    const session = await this.session(certificate.account, provider, signal);
    const hashes = digests.map((d) => Buffer.from(d).toString('base64'));
    const authData = await this.authData(known, signal);
    const timeoutMs = provider.approval?.timeoutMs ?? DEFAULT_APPROVAL_MS;
    const pollMs = provider.approval?.pollIntervalMs ?? DEFAULT_POLL_MS;
    const description = documents > 1 ? `Kyso: ký ${digests.length} tài liệu / sign ${digests.length} documents` : 'Kyso: ký tài liệu / sign a document';
    let state: CscAuthorization = await session.client.authorize({ credentialId: credential.credentialID, hashes, hashAlgorithmOID: HASH_OID[hash], authData, description }, call);
    if ('handle' in state) {
      const expiresAt = new Date(Date.now() + timeoutMs);
      const close = onApproval({ certificate, documents: digests.length, approval, expiresAt });
      try {
        while ('handle' in state) {
          const left = expiresAt.getTime() - Date.now();
          if (left <= 0) throw new KysoError('REMOTE_TIMEOUT', `${provider.name}: no answer from ${provider.app} within ${Math.round(timeoutMs / 1000)} s`);
          await sleep(Math.min(pollMs, left), signal);
          try {
            state = await session.client.authorizeCheck(state.handle, call);
          } catch (e) {
            // The service gave up waiting for the phone (its own expiry): that is a timeout, not a bad account.
            if (e instanceof KysoError && e.code === 'REMOTE_AUTH_FAILED' && /expired_token/.test(e.detail ?? '')) throw new KysoError('REMOTE_TIMEOUT', e.detail, { cause: e });
            throw e;
          }
        }
      } finally {
        close();
      }
    }
    const algorithm = signAlgorithmFor(certificate.info.keyType, credential.key.algo, hash);
    const signed = await session.client.signHash({
      credentialId: credential.credentialID, SAD: state.SAD, hashes, ...algorithm,
      ...(provider.asyncSignHash ? { operationMode: 'A' as const } : {}),
    }, call);
    let values: string[];
    if ('responseID' in signed) {
      let done: string[] | undefined;
      while (!(done = await session.client.signPolling(signed.responseID, hashes.length, call))) await sleep(pollMs, signal);
      values = done;
    } else {
      values = signed.signatures;
    }
    try {
      return values.map((b64, i) => normalizeSignature(new Uint8Array(Buffer.from(b64, 'base64')), certificate.der, certificate.info.keyType, certificate.info.keySize, digests[i]!, hash));
    } catch (e) {
      throw toKysoError(e, 'SIGNING_FAILED');
    }
  }

  /**
   * authData for credentials/authorize (§11.6): out-of-band objects (the phone) as empty objects, a PIN asked of the
   * person. When both kinds are offered the phone is chosen: that is what remote signing with an app means.
   */
  private async authData({ credential, provider, certificate }: Known, signal: AbortSignal | undefined): Promise<{ id: string; value?: string }[]> {
    if (credential.auth.mode !== 'explicit') throw new KysoError('SIGNING_FAILED', `${provider.name}: authorisation mode "${credential.auth.mode}" (a browser sign-in) is not supported`);
    const objects = credential.auth.objects ?? [];
    const oob = objects.filter((o) => OUT_OF_BAND.has(o.type));
    if (oob.length) return oob.map((o) => ({ id: o.id }));
    const out: { id: string; value?: string }[] = [];
    for (const o of objects) {
      if (o.type !== 'Password') throw new KysoError('SIGNING_FAILED', `${provider.name}: authentication type "${o.type}" is not supported`);
      out.push({ id: o.id, value: await this.options.askSecret({ kind: 'credential-pin', account: certificate.account, provider, ...(o.label ? { label: o.label } : {}) }, signal) });
    }
    return out;
  }
}
