/**
 * Remote signing (ký số từ xa): the key lives in a provider's HSM and each signature is approved in the provider's
 * phone app. This file is the seam between the protocol side (core/remote: CSC v2 client, provider adapters,
 * presets) and its users (CLI, agent, windows). Only digests leave the machine, never a document.
 */
import type { CertificateInfo } from '../cert/parse.js';
import type { HashAlgorithm, SigningKey } from '../signing-key.js';
import type { AccountKind } from './account-forms.js';

/** A provider preset, kept as data (providers.ts): who they are and how their API is reached. */
export interface RemoteProvider {
  /** Stable id used in settings and on the command line: "vnpt-smartca", "viettel-mysign", "csc-test"… */
  readonly id: string;
  /** Shown to people: "VNPT SmartCA". */
  readonly name: string;
  /** The phone app the user approves in, for "Mở ứng dụng <app> trên điện thoại để xác nhận". */
  readonly app: string;
  /** The service's base URL (CSC: the URL that `info` is under). */
  readonly baseUrl: string;
  /** Which adapter speaks to it: the CSC v2 one, or a documented provider-specific one beside it. */
  readonly protocol: 'csc-v2' | (string & {});
  /** What the user types as the account, and how it becomes the provider's user id. */
  readonly account: { readonly kind: AccountKind; readonly userIdTemplate: string };
  /**
   * How a session is opened (CSC v2 §8.1). `basic` (default): `auth/login` with HTTP Basic, the user id and a
   * password asked each time (never stored). `oauth2client`: `oauth2/token` with client credentials (the secret is
   * asked, or comes from the preset's owner), then the user id names the user in `credentials/list`.
   */
  readonly auth?: { readonly type: 'basic' } | { readonly type: 'oauth2client'; readonly clientId: string };
  /** How long the phone is waited for (default 5 min) and how often the service is asked meanwhile (default 2 s). */
  readonly approval?: { readonly timeoutMs?: number; readonly pollIntervalMs?: number };
  /** Ask `signatures/signHash` in asynchronous mode (CSC v2 §11.10 operationMode "A", then signatures/signPolling). */
  readonly asyncSignHash?: boolean;
}

/** An account the user added (Settings → "Chữ ký số từ xa" or `kyso remote add`). Holds no secret. */
export interface RemoteAccount {
  /** Stable local id ("acc-…"), what `--remote` and settings name. */
  readonly id: string;
  readonly providerId: string;
  /** What the user typed: CCCD, MST or phone number. */
  readonly account: string;
  /** The user's own name for it ("CCCD của tôi"). */
  readonly label: string;
}

/** A certificate held by a remote provider, listed beside token certificates. */
export interface RemoteCertificate {
  readonly kind: 'remote';
  /** SHA-256 fingerprint of the certificate, like token certificates' ids. */
  readonly id: string;
  readonly account: RemoteAccount;
  readonly provider: Pick<RemoteProvider, 'id' | 'name' | 'app'>;
  /** The provider's credential id (CSC credentialID). */
  readonly credentialId: string;
  readonly der: Uint8Array;
  /** Issuing chain as the provider gave it, nearest issuer first. */
  readonly chain: readonly Uint8Array[];
  readonly info: CertificateInfo;
  /** Most digests one approval may cover (CSC `multisign`); 1: one approval per document. */
  readonly multiSign: number;
}

/** What the approval window shows while the phone is asked. */
export interface ApprovalNotice {
  readonly certificate: RemoteCertificate;
  /** Documents this approval covers. */
  readonly documents: number;
  /** Which approval this is and how many the operation needs (a batch beyond multiSign needs several). */
  readonly approval: { readonly index: number; readonly of: number };
  /** A short code the provider shows on the phone too, when it gives one. */
  readonly code?: string;
  /** When the provider stops waiting for the phone. */
  readonly expiresAt: Date;
}

/** Tells a person to look at their phone; the returned function closes the notice (approved, refused or cancelled). */
export type ApprovalListener = (notice: ApprovalNotice) => () => void;

/**
 * A SigningKey whose signatures are approved on a phone; several digests can share one approval.
 * `signDigest`/`signData` calls are gathered until the operation's remaining `documents` (at most `multiSign`)
 * are pending, then one approval covers them all: a batch runs its documents up to their digest concurrently.
 */
export interface RemoteSigningKey extends SigningKey {
  readonly remote: RemoteCertificate;
  /** Signs every digest with one approval per `remote.multiSign` digests; results in the same order. */
  signDigests(digests: readonly Uint8Array[], hash: HashAlgorithm): Promise<Uint8Array[]>;
  /**
   * One of the announced `documents` will never reach its digest (it failed before signing): stop waiting for it,
   * so that the digests already gathered are sent instead of waiting forever for one that cannot come.
   */
  skipDocument(): void;
  /**
   * Sends the digests gathered so far now, without waiting for more. For a caller that knows no other digest can
   * come before these are signed (the document workers are all waiting on this key): see isolation/pool.ts.
   */
  flush(): void;
}

/**
 * The remote key source, beside the PKCS#11 TokenService. Errors: REMOTE_UNREACHABLE, REMOTE_AUTH_FAILED,
 * REMOTE_REJECTED (declined on the phone), REMOTE_TIMEOUT (not approved in time), USER_CANCELLED (signal).
 */
export interface RemoteKeySource {
  accounts(): readonly RemoteAccount[];
  /** The certificates of every account (or of one), as the providers list them now. */
  certificates(options?: { accountId?: string; signal?: AbortSignal }): Promise<RemoteCertificate[]>;
  /**
   * A key for one certificate. `documents` is how many signatures the operation will make, so that a batch can
   * be covered by as few approvals as the provider allows. `onApproval` is called each time the phone is asked.
   */
  signingKey(
    certificateId: string,
    options: { documents: number; onApproval: ApprovalListener; signal?: AbortSignal },
  ): Promise<RemoteSigningKey>;
}
