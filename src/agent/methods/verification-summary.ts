/** What pdf.verify and docx.verify share: the anchors they trust, and how they report a signature's time and trust. */
import { builtInAnchors, type ChainCheck, type TrustAnchor } from '../../core/validation/trust.js';
import type { SignatureValidation } from '../../core/validation/validate-pdf.js';
import type { AgentParts } from './context.js';

/** Built-in anchors plus those the user gave the agent (`kyso serve --trust-anchor`, the tray's settings); never a page's. */
export const agentAnchors = (parts: AgentParts): TrustAnchor[] => [...builtInAnchors(), ...(parts.trustAnchors ?? [])];

type Trust = { signer?: ChainCheck; tsa?: ChainCheck; trusted: boolean } | undefined;

/** The signing time as the protocol gives it; absent when the file's time is not a valid date. */
export function timeSummary(time: SignatureValidation['time']): { time: { at: string; local: string; source: 'tsa' | 'claimed' } } | Record<string, never> {
  return time && !Number.isNaN(time.at.getTime()) ? { time: { at: time.at.toISOString(), local: time.local, source: time.source } } : {};
}

/** Each chain's problems, prefixed with whose chain it is, so a portal can name what is not trusted. */
export function trustProblems(trust: Trust, kind: 'signature' | 'document-timestamp' = 'signature'): string[] {
  if (!trust) return [];
  const named = (label: string, c: ChainCheck | undefined): string[] => (c ? c.problems.map((p) => `${label}: ${p}`) : []);
  const out = [...named('Người ký / Signer', trust.signer), ...named('TSA', trust.tsa)];
  if (!trust.trusted && out.length === 0) {
    out.push(kind === 'signature' && !trust.signer
      ? 'Người ký / Signer: chữ ký không mang chứng thư người ký / the signature carries no signer certificate'
      : 'không đến được gốc tin cậy / no trusted anchor reached');
  }
  return out;
}
