/**
 * A page of a site the person has already allowed to sign is likely to ask for a signature soon: a document
 * worker starts, and loads the signing code, as the page connects rather than at its first document (about a
 * tenth of a second of that first signature, more on a slow machine). Other sites start nothing: a page the
 * person never allowed costs the agent no worker.
 */
import { documentWorkers } from '../core/isolation/documents.js';
import type { OriginPolicy } from './origin-policy.js';

export function warmForSite(policy: Pick<OriginPolicy, 'isAllowed'>, origin: string): void {
  if (policy.isAllowed(origin)) documentWorkers().warm(['sign']);
}
