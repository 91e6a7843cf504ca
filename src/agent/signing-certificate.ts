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
 * Documents of one operation that may wait for their approval together. Each one holds a document worker while it
 * waits (core/isolation/pool.ts lets `parked` more start meanwhile), so a batch larger than this is signed in
 * groups of at most this many, each with its own key.
 */
export const REMOTE_GROUP_DOCUMENTS = 8;

/** How a remote operation of `documents` signatures is split into keys: group sizes, in order. */
export function remoteGroups(documents: number, multiSign: number): number[] {
  const per = Math.max(1, multiSign) > REMOTE_GROUP_DOCUMENTS ? REMOTE_GROUP_DOCUMENTS : documents;
  const out: number[] = [];
  for (let left = documents; left > 0; left -= per) out.push(Math.min(per, left));
  return out;
}

/** Phone approvals `documents` signatures take with `c`: what the confirmation says before the user agrees. */
export function approvalsNeeded(c: RemoteCertificate, documents: number): number {
  const m = Math.max(1, c.multiSign);
  return remoteGroups(documents, m).reduce((n, g) => n + Math.ceil(g / m), 0);
}

/** One line naming where the key is: the token's label, or the provider and the account's label. */
export function keyLocation(c: SigningCertificate): { vi: string; en: string } {
  if (isRemote(c)) {
    return { vi: `ký số từ xa ${c.provider.name} (${c.account.label})`, en: `remote signing, ${c.provider.name} (${c.account.label})` };
  }
  return { vi: `token "${c.token.label}"`, en: `token "${c.token.label}"` };
}
