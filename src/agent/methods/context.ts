/** What every method handler gets: the agent's parts, and this request's origin, signal and progress channel. */
import type { TrustAnchor } from '../../core/validation/trust.js';
import type { TokenService } from '../../core/token/token-service.js';
import type { TimestampClient } from '../../core/tsa/api.js';
import type { RemoteKeySource } from '../../core/remote/types.js';
import type { OriginPolicy } from '../origin-policy.js';
import type { Prompter } from '../prompter.js';
import type { RequestQueue } from '../request-queue.js';
import type { AttachmentRef, PROGRESS_STAGES } from '../protocol.js';
import type { SignedBytes } from '../../core/signed-output.js';

/** The part of the token layer the agent uses (TokenService, or a stand-in in tests). */
export type TokenSource = Pick<TokenService, 'tokens' | 'certificates' | 'certificate' | 'signingKey' | 'logoutAll'>;

export interface AgentLimits {
  /** Largest decoded document (pdf.sign, pdf.verify). Default 50 MiB. */
  maxDocumentBytes: number;
  /** Largest WebSocket frame; ws closes the connection with 1009 past it. Default: room for a maximal document. */
  maxFrameBytes: number;
  /** Largest document part in one binary frame (binary documents, attachments.ts). Default 1 MiB. */
  attachmentChunkBytes: number;
  /** An attachment whose next frame does not come within this is dropped: its request fails TIMEOUT. Default 30 s. */
  attachmentIdleMs: number;
  /** Open WebSocket connections at once. */
  maxConnections: number;
  /** Token operations waiting behind the running one before BUSY. */
  maxQueued: number;
  /** Requests a connection may have unanswered at once before BUSY. */
  maxInFlightPerConnection: number;
  /** A request (prompts included) is answered TIMEOUT after this. */
  requestTimeoutMs: number;
  /** A connection with nothing in flight and no message for this long is closed. */
  idleTimeoutMs: number;
  /**
   * Parsing one document (verification, the check before signing, signing's own parse) in its worker is stopped
   * with TIMEOUT after this. Default: the document workers' (60 s, core/isolation).
   */
  documentDeadlineMs?: number;
}

export interface AgentParts {
  tokens: TokenSource;
  prompter: Prompter;
  policy: OriginPolicy;
  queue: RequestQueue;
  /** pdf.verify runs one at a time too (CPU and memory of 50 MB documents), apart from the token queue. */
  verifyQueue: RequestQueue;
  limits: AgentLimits;
  /** The timestamp server the user configured (B-T and above); never one a page names. */
  timestamp?: TimestampClient;
  /** Roots pdf.verify trusts besides the built-in anchors, as the user configured them. */
  trustAnchors?: readonly TrustAnchor[];
  /** Remote signing accounts the user added (Settings, `kyso remote add`); their certificates sit beside the tokens'. */
  remote?: RemoteKeySource;
}

export type ProgressStage = (typeof PROGRESS_STAGES)[number];

export interface RequestContext {
  origin: string;
  signal: AbortSignal;
  /** `of`: which document of a batch the stage is about (waiting-for-approval: the first one the approval covers). */
  progress(stage: ProgressStage, of?: { document: number; documents: number }): void;
  /** The caller reports signing progress itself (a batch, per document): no per-stage events from the worker. */
  readonly quietStages?: boolean;
  /** Fields for this request's log line (file name, size); never content. */
  note(fields: { fileName?: string; size?: number }): void;
  /** The bytes of this request's attachment `id` (binary documents); absent on endpoints without them (VNPT). */
  attachment?(id: number): Uint8Array | undefined;
  /** `release` runs once the request is answered or abandoned: it frees what the request holds (a document kept open in its worker). */
  atEnd?(release: () => void): void;
  /** Sends `bytes` as an attachment of the answer when the request sent its documents so; undefined: use base64. */
  attach?(bytes: Uint8Array | SignedBytes): AttachmentRef | undefined;
}
