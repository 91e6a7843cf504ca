/** `agent.info`: what this agent is, for anyone who connects. No identities: only how many tokens are plugged in. */
import { KYSO_VERSION } from '../../core/version.js';
import { METHODS, type ResultOf } from '../protocol.js';
import { PROTOCOL_VERSION } from '../protocol-constants.js';
import type { AgentParts, RequestContext } from './context.js';

export function agentInfo(parts: AgentParts, ctx: RequestContext): ResultOf<'agent.info'> {
  let tokenCount = 0;
  try { tokenCount = parts.tokens.tokens().length; } catch { /* a failing driver shows as no token */ }
  return {
    name: 'kyso',
    version: KYSO_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    methods: Object.keys(METHODS),
    formats: ['pdf', 'docx', 'xlsx', 'pptx'],
    limits: { maxDocumentBytes: parts.limits.maxDocumentBytes, maxFrameBytes: parts.limits.maxFrameBytes },
    // Binary documents (attachments.ts): SDKs that see this send documents as binary frames instead of base64.
    attachments: { maxChunkBytes: parts.limits.attachmentChunkBytes, idleTimeoutMs: parts.limits.attachmentIdleMs },
    tokenCount,
    originAllowed: parts.policy.isAllowed(ctx.origin),
  };
}
