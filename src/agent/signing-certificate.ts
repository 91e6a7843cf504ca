/**
 * "A token or a remote certificate": what the agent signs with. The two are told apart by `kind` (remote
 * certificates carry `kind: 'remote'`, token certificates come from the token layer without it), so a remote
 * certificate is never dressed up as a token and every window says which one it is.
 */
import type { TokenCertificate } from '../core/token/token-service.js';
import type { RemoteCertificate } from '../core/remote/types.js';

export type { RemoteCertificate };
export type SigningCertificate = TokenCertificate | RemoteCertificate;

export const isRemote = (c: SigningCertificate): c is RemoteCertificate => 'kind' in c && c.kind === 'remote';

/**
 * Phone approvals `documents` signatures take with `c`, what the confirmation says before the user agrees: one per
 * `multiSign` documents, and no more documents per approval than can wait for it at once (each holds a document
 * worker while it waits: the pool's workers and its parked allowance, core/isolation/pool.ts).
 */
export function approvalsNeeded(c: RemoteCertificate, documents: number, concurrent: number): number {
  return Math.ceil(documents / documentsPerApproval(c, concurrent));
}

/** Documents one approval covers: `multiSign`, at most as many as can wait for it at once. */
export function documentsPerApproval(c: RemoteCertificate, concurrent: number): number {
  return Math.max(1, Math.min(c.multiSign, concurrent));
}

/** One line naming where the key is: the token's label, or the provider and the account's label. */
export function keyLocation(c: SigningCertificate): { vi: string; en: string } {
  if (isRemote(c)) {
    return { vi: `ký số từ xa ${c.provider.name} (${c.account.label})`, en: `remote signing, ${c.provider.name} (${c.account.label})` };
  }
  return { vi: `token "${c.token.label}"`, en: `token "${c.token.label}"` };
}
