/**
 * The RemoteSigningKey's gathering: every approval on the phone costs the user a tap, so the digests of one
 * operation are held until as many as one approval may cover (the credential's multisign) are pending, or until no
 * more can come, and then signed together. A batch runs its documents up to their digest concurrently; each
 * `signDigest` then waits here. Approvals run one after another: a person answers one phone request at a time.
 *
 * Nothing can wait forever: a document that fails before its digest is reported with `skipDocument()`, which
 * lowers the count still expected, so the digests already gathered go out. Once an approval fails (declined,
 * timed out, cancelled…) every waiting and later call fails the same way: the user is not asked again.
 */
import { createHash } from 'node:crypto';
import { KysoError, toKysoError } from '../errors.js';
import { nodeHash } from '../cms/algorithms.js';
import { assertSignatureVerifies } from '../signature-check.js';
import type { HashAlgorithm, KeyType } from '../signing-key.js';
import type { RemoteCertificate, RemoteSigningKey } from './types.js';

/** Signs digests of one hash algorithm with one approval; `approval` numbers it for the notice. */
export type BatchSigner = (digests: readonly Uint8Array[], hash: HashAlgorithm, approval: { index: number; of: number }) => Promise<Uint8Array[]>;

interface Waiting { digest: Uint8Array; hash: HashAlgorithm; resolve: (s: Uint8Array) => void; reject: (e: unknown) => void }

export class GatheringKey implements RemoteSigningKey {
  readonly certificate: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly keyType: KeyType;
  readonly keySize: number;
  private readonly pending: Waiting[] = [];
  /** Digests still expected: announced documents not yet arrived nor skipped. */
  private toCome: number;
  private approvals = 0;
  private plannedApprovals: number;
  private failure: KysoError | undefined;
  /** Batches run one after another: the tail of that queue. */
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly remote: RemoteCertificate, documents: number, private readonly signBatch: BatchSigner, signal?: AbortSignal) {
    this.certificate = remote.der;
    this.chain = remote.chain;
    this.keyType = remote.info.keyType;
    this.keySize = remote.info.keySize;
    this.toCome = Math.max(1, Math.floor(documents));
    this.plannedApprovals = Math.ceil(this.toCome / this.batchSize);
    signal?.addEventListener('abort', () => this.fail(new KysoError('USER_CANCELLED')), { once: true });
    if (signal?.aborted) this.fail(new KysoError('USER_CANCELLED'));
  }

  private get batchSize(): number {
    return Math.max(1, this.remote.multiSign);
  }

  signDigest(digest: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.push({ digest, hash, resolve, reject });
      this.toCome = Math.max(0, this.toCome - 1);
      this.dispatch();
    });
  }

  /**
   * What the engines call (CMS signed attributes, XML SignedInfo). The signature is checked over the data with the
   * certificate's key before it goes into a document: a service that signed something else must not yield a file
   * that looks signed. (RSA is also checked against the digest in csc-algorithms; ECDSA over a bare digest cannot
   * be checked with node:crypto, over the data it can.)
   */
  async signData(data: Uint8Array, hash: HashAlgorithm): Promise<Uint8Array> {
    const signature = await this.signDigest(new Uint8Array(createHash(nodeHash(hash)).update(data).digest()), hash);
    assertSignatureVerifies(this.certificate, this.keyType, data, hash, signature, 'the remote service');
    return signature;
  }

  signDigests(digests: readonly Uint8Array[], hash: HashAlgorithm): Promise<Uint8Array[]> {
    return Promise.all(digests.map((d) => this.signDigest(d, hash)));
  }

  skipDocument(): void {
    this.toCome = Math.max(0, this.toCome - 1);
    this.dispatch();
  }

  flush(): void {
    this.dispatch(true);
  }

  /** Sends full batches, and the rest once nothing more is expected (or when told to: `now`). */
  private dispatch(now = false): void {
    while (!this.failure && (this.pending.length >= this.batchSize || ((this.toCome === 0 || now) && this.pending.length > 0))) {
      const batch = this.pending.splice(0, this.batchSize);
      // One approval per hash algorithm: CSC authorizes hashes of one algorithm at a time (§11.6 hashAlgorithmOID).
      for (const hash of [...new Set(batch.map((w) => w.hash))]) {
        const group = batch.filter((w) => w.hash === hash);
        this.queue = this.queue.then(() => this.run(group, hash));
      }
    }
  }

  private async run(group: Waiting[], hash: HashAlgorithm): Promise<void> {
    if (this.failure) {
      for (const w of group) w.reject(this.failure);
      return;
    }
    const index = ++this.approvals;
    // More approvals than planned: digests beyond the announced documents, or mixed hash algorithms.
    this.plannedApprovals = Math.max(this.plannedApprovals, index + Math.ceil((this.pending.length + this.toCome) / this.batchSize));
    try {
      const signatures = await this.signBatch(group.map((w) => w.digest), hash, { index, of: this.plannedApprovals });
      group.forEach((w, i) => w.resolve(signatures[i]!));
    } catch (e) {
      const err = toKysoError(e, 'SIGNING_FAILED');
      for (const w of group) w.reject(err);
      this.fail(err);
    }
  }

  private fail(err: KysoError): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.pending.splice(0)) w.reject(err);
  }
}
