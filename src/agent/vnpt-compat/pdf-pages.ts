/**
 * The pages a PdfSigner names, checked against the document before anyone is asked anything. The plugin answers a
 * page the document does not have with its own item code 7, which portals show as "Ký pdf: trang đặt chữ ký không
 * tồn tại"; left to the signing step, the same mistake came after the user had confirmed and typed the PIN, as
 * "bad input" (1).
 */
import { KysoError } from '../../core/errors.js';
import { pdfPageCountIsolated } from '../../core/isolation/documents.js';
import { decodeBase64 } from '../methods/common.js';
import type { MappedPdfOptions } from './pdf-signer-options.js';

/** A page named for the signature or a stamp is not in the document (item code 7). */
export class SignaturePageMissing extends KysoError {
  constructor(page: number, pageCount: number) {
    super('BAD_REQUEST', `page ${page} does not exist (the document has ${pageCount})`);
  }
}

function highestPage(params: MappedPdfOptions['params']): number {
  const pages: number[] = [];
  const p = params.placement;
  if (p && p !== 'ask') {
    if ('page' in p) pages.push(p.page);
    if ('pages' in p && Array.isArray(p.pages)) pages.push(...p.pages);
  }
  for (const stamp of [params.appearance?.documentNumber, params.appearance?.documentDate]) {
    if (stamp && 'page' in stamp.placement) pages.push(stamp.placement.page);
  }
  return Math.max(0, ...pages);
}

/** Throws SignaturePageMissing when the options name a page past the document's last. */
export async function assertPagesExist(document: string, params: MappedPdfOptions['params'], maxBytes: number): Promise<void> {
  const highest = highestPage(params);
  // Every PDF Kyso signs has a page 1 (openPdf refuses one without): only a later page is worth opening the file for.
  if (highest <= 1) return;
  let pageCount: number;
  try {
    // In a document worker, as every file from a page is opened: never in the agent's own thread.
    pageCount = await pdfPageCountIsolated(decodeBase64(document, maxBytes, 'the document'));
  } catch {
    return; // an unreadable document is answered by the signing step, with its own code
  }
  if (highest > pageCount) throw new SignaturePageMissing(highest, pageCount);
}
