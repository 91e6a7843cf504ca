/**
 * The agent's wire protocol: JSON-RPC 2.0 text frames over ws://127.0.0.1:<port>. Every request's params and
 * every result is a zod schema here, and `docs/protocol.md` is generated from these schemas
 * (`npm run docs:protocol`, see protocol-doc.ts). Schemas are strict: a key a method does not know is
 * rejected (BAD_REQUEST), so no method can be handed a file path, a PKCS#11 module, a PIN or a TSA URL.
 */
import * as z from 'zod';
import { ERROR_MESSAGES, type ErrorCode } from '../core/errors.js';
import { appearanceOptionsSchema, placementSchema } from '../core/pdf/appearance/schema.js';
// The protocol's constants and size arithmetic (ports, framing, RPC codes) are in protocol-constants.ts, without zod:
// the listener needs them before any message.
import { MAX_ATTACHMENTS_PER_REQUEST, MAX_BATCH_DOCUMENTS, NOTIFICATION_DELAY_MS, isBase64 } from './protocol-constants.js';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

/** base64 (RFC 4648 §4, padding optional, no line breaks). Size caps are applied by the agent, not here. */
export const base64 = (what: string) => z.string().refine(isBase64, 'base64 (RFC 4648, no line breaks)').describe(`${what}, base64`);

// Binary documents ("attachments"): a request announces them in its envelope (`attachments`), its params name
// them (`{"attachment": id}` where a document goes), and their bytes follow as binary frames, each one
// ATTACHMENT_HEADER_BYTES of id (big-endian uint32) then at most `maxChunkBytes` of the document, in order.
// The answer to such a request carries its documents the same way. See docs/protocol.md, "Binary documents".

export const attachmentIdSchema = z.number().int().min(0).max(0xffff_ffff).describe('Attachment id, chosen by the sender, unique among its attachments still under way on this connection');
export const attachmentAnnounceSchema = z.strictObject({
  id: attachmentIdSchema,
  length: z.number().int().min(0).describe('Bytes of the document'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256, 64 lowercase hex digits').describe('SHA-256 of the document, lowercase hex'),
});
export type AttachmentAnnounce = z.infer<typeof attachmentAnnounceSchema>;
export const attachmentRefSchema = z.strictObject({ attachment: attachmentIdSchema })
  .describe('A document sent as binary frames: the id of an attachment announced in the same message');
export type AttachmentRef = z.infer<typeof attachmentRefSchema>;
/** A document in params: base64 text, or an attachment of the request. */
const documentInput = (what: string) => z.union([base64(what), attachmentRefSchema]);
/** A document in a result: base64 when the request sent base64, an attachment of the answer when it sent attachments. */
const documentOutput = (what: string) => z.union([z.string().describe(`${what}, base64`), attachmentRefSchema])
  .describe(`${what}: base64, or an attachment of the answer when the request sent its document as one`);

/** A display name only: no directory part, no control characters. The agent never opens a path a page sends. */
export const fileNameSchema = z.string().min(1).max(255)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^/\\\u0000-\u001f\u007f]+$/, 'a file name without directory part or control characters')
  .describe('The name the user knows the document by (shown in the confirmation, written to the log); never a path');

export const certificateIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a certificate id from certificates.list')
  .describe('Opaque certificate id from `certificates.list` (SHA-256 of the certificate). Absent: Kyso asks the user');

const shortText = (what: string) => z.string().max(500).describe(what);

export const hashAlgorithmSchema = z.enum(['SHA-256', 'SHA-384', 'SHA-512']);
const isoTime = z.string().describe('ISO 8601 time (UTC)');

const subjectSchema = z.object({
  commonName: z.string().optional(),
  organization: z.string().optional(),
  organizationalUnit: z.string().optional(),
  title: z.string().optional().describe('Chức vụ (X.520 title)'),
  email: z.string().optional(),
  locality: z.string().optional(),
  province: z.string().optional(),
  country: z.string().optional(),
  identifiers: z.record(z.string(), z.string()).describe('Identifiers from UID values, e.g. {"CCCD": "001190012345", "MST": "0101234567"}'),
}).strict();

const noParams = z.strictObject({}).optional().describe('No parameters (omit `params` or send `{}`)');

// ---------------------------------------------------------------------------------------------------------------
// Methods

export const agentInfoParams = noParams;
export const agentInfoResult = z.object({
  name: z.literal('kyso'),
  version: z.string(),
  protocolVersion: z.number().int(),
  methods: z.array(z.string()).describe('Methods this agent answers'),
  formats: z.array(z.string()).describe('Document formats `*.sign` accepts'),
  limits: z.object({
    maxDocumentBytes: z.number().int().describe('Largest document (decoded) a request may carry'),
    maxFrameBytes: z.number().int().describe('Largest WebSocket frame; larger frames close the connection (1009)'),
  }).strict(),
  attachments: z.object({
    maxChunkBytes: z.number().int().describe('Largest document part in one binary frame (after the 4-byte id)'),
    idleTimeoutMs: z.number().int().describe('An attachment whose next frame does not come within this is dropped (its request fails TIMEOUT)'),
  }).strict().optional().describe('Present when the agent takes documents as binary frames (see "Binary documents"); absent from older agents, which take base64 only'),
  tokenCount: z.number().int().describe('USB tokens plugged in now (no identities before consent)'),
  originAllowed: z.boolean().describe('Whether the user has already allowed this site'),
}).strict();

export const certificateSchema = z.object({
  id: z.string().describe('Opaque id to pass as `certificateId`'),
  subject: subjectSchema,
  issuer: subjectSchema,
  serialNumber: z.string().describe('hex'),
  notBefore: isoTime,
  notAfter: isoTime,
  validity: z.enum(['valid', 'expired', 'not-yet-valid']),
  keyUsage: z.array(z.string()),
  keyType: z.enum(['RSA', 'EC']),
  keySize: z.number().int(),
  kind: z.enum(['token', 'remote']).describe('Where the key is: a USB token, or a remote signing provider (ký số từ xa: each signature is approved in the provider\'s phone app)'),
  token: z.object({ label: z.string(), manufacturer: z.string(), pinState: z.enum(['ok', 'count-low', 'final-try', 'locked']) }).strict()
    .optional().describe('kind `token`: the token it is on'),
  remote: z.object({
    provider: z.object({ id: z.string(), name: z.string().describe('"VNPT SmartCA"…'), app: z.string().describe('The phone app that approves') }).strict(),
    account: z.string().describe('The label the user gave the account in Kyso (never the CCCD/MST itself)'),
    multiSign: z.number().int().min(1).describe('Documents one phone approval may cover (batch.sign)'),
  }).strict().optional().describe('kind `remote`: the provider and the user\'s account'),
  certificate: z.string().describe('DER X.509 certificate, base64'),
}).strict();

export const certificatesListParams = noParams;
export const certificatesListResult = z.object({ certificates: z.array(certificateSchema) }).strict();

export const pdfSignParams = z.strictObject({
  document: documentInput('The PDF'),
  fileName: fileNameSchema,
  certificateId: certificateIdSchema.optional(),
  reason: shortText('Lý do ký (/Reason)').optional(),
  location: shortText('Nơi ký (/Location)').optional(),
  contactInfo: shortText('/ContactInfo').optional(),
  placement: z.union([placementSchema, z.literal('ask')]).optional()
    .describe('A visible signature: `{page, rect}`, `{pages, rect}`, `{keyword, …}`, or "ask" to let the user place it in Kyso. Absent: invisible'),
  appearance: appearanceOptionsSchema.optional().describe('How a visible signature looks (needs `placement`)'),
  level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']).optional()
    .describe("PAdES level. B-T and above use the timestamp server the user configured in Kyso (a page cannot name one); absent: B-T when one is configured, else B-B"),
});
export const signatureSummarySchema = z.object({
  fieldName: z.string(),
  signingTime: isoTime,
  hash: hashAlgorithmSchema,
  certificateId: z.string(),
  signer: z.string().optional().describe("Signer certificate's common name"),
  byteRange: z.array(z.number().int()).length(4),
  level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']).describe('PAdES level reached'),
  timestamp: z.object({ time: isoTime, tsa: z.string().optional() }).strict().optional().describe('The signature timestamp (B-T and above)'),
}).strict();
export const pdfSignResult = z.object({
  document: documentOutput('The signed PDF (the input plus one incremental update)'),
  signature: signatureSummarySchema,
}).strict();

export const hashSignParams = z.strictObject({
  digest: base64('The digest to sign, computed by the portal with `algorithm` (32, 48 or 64 bytes)'),
  algorithm: hashAlgorithmSchema,
  format: z.enum(['cms', 'raw']).describe('cms: a detached CMS SignedData (PAdES/CAdES signed attributes over the digest); raw: the bare signature value'),
  certificateId: certificateIdSchema.optional(),
  fileName: fileNameSchema.optional().describe('What the digest is of, shown to the user in the confirmation (default: "tài liệu do trang web chuẩn bị")'),
});
export const hashSignResult = z.object({
  signature: z.string().describe('cms: DER ContentInfo (SignedData); raw: RSA — the PKCS#1 v1.5 signature over DigestInfo(digest) (RSASSA-PKCS1-v1_5), EC — the DER ECDSA-Sig-Value SEQUENCE {r, s}; base64'),
  format: z.enum(['cms', 'raw']),
  algorithm: hashAlgorithmSchema,
  signatureAlgorithm: z.enum(['RSASSA-PKCS1-v1_5', 'ECDSA']),
  certificateId: z.string(),
  certificate: z.string().describe('Signer DER certificate, base64'),
  chain: z.array(z.string()).describe('Issuer certificates found on the token, nearest first, DER base64'),
}).strict();

export const pdfVerifyParams = z.strictObject({ document: documentInput('The PDF') });
/** Who signed, as verification reports it (PDF and Office documents alike). */
export const verifiedSignerSchema = z.object({
  commonName: z.string().optional(),
  organization: z.string().optional(),
  organizationalUnit: z.string().optional(),
  title: z.string().optional().describe('Chức vụ (the certificate\'s T attribute)'),
  identifiers: z.record(z.string(), z.string()).describe('From the certificate\'s UID: CCCD, CMND, MST, HC, BHXH…'),
  issuer: z.string().optional(),
  serialNumber: z.string(),
  notBefore: isoTime,
  notAfter: isoTime,
}).strict();
const verdictSchema = z.enum(['valid', 'invalid', 'modified', 'untrusted'])
  .describe('valid: intact, only allowed additions after it, signer and TSA chain to a trust anchor; invalid: broken; modified: changed after signing (see changedPages / changedParts); untrusted: intact but a chain reaches no anchor (see trustProblems)');
const signingTimeSchema = z.object({ at: isoTime, local: z.string().describe('In Asia/Ho_Chi_Minh, e.g. 2026-12-02 13:28:42 +07:00'), source: z.enum(['tsa', 'claimed']) }).strict()
  .describe("When it was signed: the TSA's time when a valid timestamp exists, else what the signer's computer claimed");
const trustedSchema = z.boolean().describe("Signer (and TSA) chain to a trust anchor: the built-in ones and those the user gave Kyso (`kyso serve --trust-anchor`, the tray's settings), never a page's; revocation only from what the file carries");
const trustProblemsSchema = z.array(z.string()).describe('Why a chain is not trusted, each naming the certificate ("Người ký / Signer: …", "TSA: …"); warnings when trusted');
export const verifiedSignatureSchema = z.object({
  fieldName: z.string(),
  kind: z.enum(['signature', 'document-timestamp']),
  subFilter: z.string(),
  signer: verifiedSignerSchema.optional(),
  claimedTime: isoTime.optional().describe('/M: the time the signer\'s computer claimed'),
  reason: z.string().optional(),
  location: z.string().optional(),
  intact: z.boolean().describe('CMS valid, digest matches, ByteRange sane'),
  coversWholeFile: z.boolean(),
  bytesAfter: z.number().int().describe('Bytes appended after this signature (later updates)'),
  timestamp: z.object({ time: isoTime, tsa: z.string().optional(), valid: z.boolean() }).strict().optional(),
  verdict: verdictSchema,
  time: signingTimeSchema.optional(),
  level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']).optional().describe('PAdES level reached'),
  changesAfter: z.enum(['none', 'allowed', 'disallowed']).describe('Later updates: none; only DSS, timestamps, signatures, permitted form fill-in; or anything else'),
  changedPages: z.array(z.number().int()).describe('Pages (1-based) a disallowed later update touched'),
  trusted: trustedSchema,
  trustProblems: trustProblemsSchema,
  problems: z.array(z.string()),
}).strict();
export const pdfVerifyResult = z.object({
  signatures: z.array(verifiedSignatureSchema),
  allIntact: z.boolean().describe('Every signature is cryptographically intact (says nothing about later changes: see allValid)'),
  allValid: z.boolean().describe('Every signature intact with nothing but allowed additions after it (the history an official needs); trust aside'),
}).strict();

export const docxSignParams = z.strictObject({
  document: documentInput('The Office document (.docx, .xlsx, .pptx)'),
  fileName: fileNameSchema,
  certificateId: certificateIdSchema.optional(),
  reason: shortText('Mục đích ký: the "purpose for signing" Office shows (SignatureComments)').optional(),
  level: z.enum(['B-B', 'B-T']).optional()
    .describe('XAdES level. B-T adds a signature timestamp from the timestamp server the user configured in Kyso; absent: B-T when one is configured, else B-B'),
});
export const docxSignResult = z.object({
  document: documentOutput('The signed package (every original part kept byte for byte, plus the signature parts)'),
  signature: z.object({
    part: z.string().describe('The signature part, e.g. /_xmlsignatures/sig1.xml'),
    signingTime: isoTime,
    hash: hashAlgorithmSchema,
    certificateId: z.string(),
    signer: z.string().optional().describe("Signer certificate's common name"),
    level: z.enum(['B-B', 'B-T']).describe('XAdES level reached'),
    timestamp: z.object({ time: isoTime, tsa: z.string().optional() }).strict().optional().describe('The signature timestamp (B-T)'),
  }).strict(),
}).strict();

export const docxVerifyParams = z.strictObject({ document: documentInput('The Office document') });
export const docxVerifyResult = z.object({
  signatures: z.array(z.object({
    part: z.string().describe('The signature part, e.g. /_xmlsignatures/sig1.xml'),
    signer: verifiedSignerSchema.optional(),
    claimedTime: isoTime.optional().describe('The time the signer\'s computer claimed (signed XAdES SigningTime)'),
    signingTime: isoTime.optional().describe('Same as claimedTime (kept for protocol 1 clients)'),
    reason: z.string().optional().describe('The signed "purpose for signing"'),
    timestamp: z.object({ time: isoTime, tsa: z.string().optional(), valid: z.boolean() }).strict().optional().describe('The XAdES signature timestamp, when present'),
    verdict: verdictSchema,
    time: signingTimeSchema.optional(),
    level: z.enum(['B-B', 'B-T']).optional().describe('XAdES level reached (absent when the signature value does not verify)'),
    changesAfter: z.enum(['none', 'disallowed']).describe('none: every signed part unchanged and the package holds nothing unsigned that Office signs; disallowed: see changedParts and uncoveredParts'),
    changedParts: z.array(z.string()).describe('Signed parts whose digest no longer matches (or missing, or with another content type)'),
    uncoveredParts: z.array(z.string()).describe('Parts and relationships Office signs that this signature does not cover (added after signing, or left unsigned)'),
    trusted: trustedSchema,
    trustProblems: trustProblemsSchema,
    valid: z.boolean().describe('The signature value and every reference (relationship transform included) verify'),
    coversAllParts: z.boolean().describe('Every part Office signs is covered: nothing was added or left unsigned'),
    problems: z.array(z.string()),
    notes: z.array(z.string()).describe('Worth knowing without making the signature invalid'),
  }).strict()),
  allValid: z.boolean().describe('At least one signature, and every one valid and covering the package (the history an official needs); trust aside, as in pdf.verify'),
}).strict();

export const batchSignParams = z.strictObject({
  documents: z.array(z.discriminatedUnion('type', [
    pdfSignParams.omit({ certificateId: true }).extend({ type: z.literal('pdf') }),
    docxSignParams.omit({ certificateId: true }).extend({ type: z.literal('docx') }),
  ])).min(1).max(MAX_BATCH_DOCUMENTS).describe(`The documents (at most ${MAX_BATCH_DOCUMENTS}), each with the options of \`pdf.sign\` or \`docx.sign\` and its \`type\`; together at most \`limits.maxDocumentBytes\` (decoded), else TOO_LARGE: the agent holds the request and the signed answers, signing two documents at a time`),
  certificateId: certificateIdSchema.optional().describe('One certificate for every document; absent: the user chooses once'),
});
export const batchSignResult = z.object({
  documents: z.array(z.discriminatedUnion('type', [
    pdfSignResult.extend({ type: z.literal('pdf') }),
    docxSignResult.extend({ type: z.literal('docx') }),
  ])).describe('The signed documents, in the order sent'),
}).strict();

export const requestCancelParams = z.strictObject({ id: z.union([z.string(), z.number()]).describe('The id of a request this connection sent') });

/**
 * Who may call a method: anyone who connects (`open`), or only sites the user allowed (`consent`). The server
 * asks for consent before it runs any `consent` method, so this table is the rule, not a description of it.
 */
export type Access = 'open' | 'consent';

/** What signing with a remote certificate adds: the provider declined on the phone, not answered in time, unreachable, or refused the account. */
const REMOTE_SIGNING_ERRORS = ['REMOTE_REJECTED', 'REMOTE_TIMEOUT', 'REMOTE_UNREACHABLE', 'REMOTE_AUTH_FAILED'] as const;

export interface MethodSpec {
  params: z.ZodType;
  result: z.ZodType;
  access: Access;
  /** Whether the method uses the token (serialized through the request queue). */
  token: boolean;
  summary: string;
  errors: readonly ErrorCode[];
}

export const METHODS = {
  'agent.info': {
    params: agentInfoParams, result: agentInfoResult, access: 'open', token: false,
    summary: 'What this agent is and can do. Needs no consent and reveals no identity.',
    errors: [],
  },
  'certificates.list': {
    params: certificatesListParams, result: certificatesListResult, access: 'consent', token: true,
    summary: 'Certificates usable for signing on the tokens plugged in, and those of the remote signing accounts the user added (`kind: "remote"`). The first call from a site asks the user whether the site may use Kyso. A remote provider that fails leaves the token certificates listed; with nothing else its error is the answer.',
    errors: ['ORIGIN_DENIED', 'REMOTE_UNREACHABLE', 'REMOTE_AUTH_FAILED', 'BUSY', 'TIMEOUT'],
  },
  'pdf.sign': {
    params: pdfSignParams, result: pdfSignResult, access: 'consent', token: true,
    summary: 'Signs a PDF (PAdES, one incremental update). Kyso asks the user to choose a certificate when none is given, to confirm this signature (naming the site, the file and the certificate) and for the PIN in its own prompt — or, for a remote certificate, to approve in the provider\'s phone app (`waiting-for-approval`; only the digest leaves the computer). Sends `progress` notifications.',
    errors: ['ORIGIN_DENIED', 'USER_CANCELLED', ...REMOTE_SIGNING_ERRORS, 'PIN_INCORRECT', 'PIN_LOCKED', 'PIN_REQUIRED', 'NO_TOKEN', 'TOKEN_REMOVED', 'NO_CERTIFICATE', 'CERTIFICATE_NOT_FOUND',
      'CERTIFICATE_EXPIRED', 'CERTIFICATE_REVOKED', 'DOCUMENT_ENCRYPTED', 'DOCUMENT_SIGNING_FORBIDDEN', 'DOCUMENT_CORRUPT', 'UNSUPPORTED_FORMAT', 'KEYWORD_NOT_FOUND', 'KEYWORD_NO_ROOM', 'TOO_LARGE', 'BAD_REQUEST', 'BUSY', 'TIMEOUT',
      'TSA_UNREACHABLE', 'TSA_REJECTED', 'TSA_BAD_RESPONSE', 'TSA_AUTH_REQUIRED', 'REVOCATION_UNAVAILABLE'],
  },
  'hash.sign': {
    params: hashSignParams, result: hashSignResult, access: 'consent', token: true,
    summary: 'Signs a digest the portal computed on its server (it prepared the PDF there). Same consent, certificate choice, confirmation and PIN as `pdf.sign`.',
    errors: ['ORIGIN_DENIED', 'USER_CANCELLED', ...REMOTE_SIGNING_ERRORS, 'PIN_INCORRECT', 'PIN_LOCKED', 'PIN_REQUIRED', 'NO_TOKEN', 'TOKEN_REMOVED', 'NO_CERTIFICATE', 'CERTIFICATE_NOT_FOUND',
      'CERTIFICATE_EXPIRED', 'MECHANISM_UNSUPPORTED', 'BAD_REQUEST', 'BUSY', 'TIMEOUT'],
  },
  'pdf.verify': {
    params: pdfVerifyParams, result: pdfVerifyResult, access: 'consent', token: false,
    summary: 'Checks every signature in a PDF: who signed, when, whether the file changed since. Uses no token, but like `certificates.list` only for a site the user allowed (the first call asks): it parses untrusted documents and names people.',
    errors: ['ORIGIN_DENIED', 'DOCUMENT_CORRUPT', 'UNSUPPORTED_FORMAT', 'TOO_LARGE', 'BAD_REQUEST', 'BUSY', 'TIMEOUT'],
  },
  'docx.sign': {
    params: docxSignParams, result: docxSignResult, access: 'consent', token: true,
    summary: 'Signs an Office document (DOCX, XLSX, PPTX) with an OPC package signature as Microsoft Office writes it (XML-DSig + XAdES). Same consent, certificate choice, confirmation and PIN as `pdf.sign`; no visible signature.',
    errors: ['ORIGIN_DENIED', 'USER_CANCELLED', ...REMOTE_SIGNING_ERRORS, 'PIN_INCORRECT', 'PIN_LOCKED', 'PIN_REQUIRED', 'NO_TOKEN', 'TOKEN_REMOVED', 'NO_CERTIFICATE', 'CERTIFICATE_NOT_FOUND',
      'CERTIFICATE_EXPIRED', 'CERTIFICATE_REVOKED', 'DOCUMENT_ENCRYPTED', 'DOCUMENT_CORRUPT', 'UNSUPPORTED_FORMAT', 'TOO_LARGE', 'BAD_REQUEST', 'BUSY', 'TIMEOUT',
      'TSA_UNREACHABLE', 'TSA_REJECTED', 'TSA_BAD_RESPONSE', 'TSA_AUTH_REQUIRED'],
  },
  'batch.sign': {
    params: batchSignParams, result: batchSignResult, access: 'consent', token: true,
    summary: 'Signs several PDFs and Office documents with one certificate, one confirmation listing them all and one PIN. Every document is checked before the user is asked anything; all are signed or none is returned (the error names the document).',
    errors: ['ORIGIN_DENIED', 'USER_CANCELLED', ...REMOTE_SIGNING_ERRORS, 'PIN_INCORRECT', 'PIN_LOCKED', 'PIN_REQUIRED', 'NO_TOKEN', 'TOKEN_REMOVED', 'NO_CERTIFICATE', 'CERTIFICATE_NOT_FOUND',
      'CERTIFICATE_EXPIRED', 'CERTIFICATE_REVOKED', 'DOCUMENT_ENCRYPTED', 'DOCUMENT_SIGNING_FORBIDDEN', 'DOCUMENT_CORRUPT', 'UNSUPPORTED_FORMAT', 'KEYWORD_NOT_FOUND', 'KEYWORD_NO_ROOM', 'TOO_LARGE', 'BAD_REQUEST', 'BUSY', 'TIMEOUT',
      'TSA_UNREACHABLE', 'TSA_REJECTED', 'TSA_BAD_RESPONSE', 'TSA_AUTH_REQUIRED', 'REVOCATION_UNAVAILABLE'],
  },
  'docx.verify': {
    params: docxVerifyParams, result: docxVerifyResult, access: 'consent', token: false,
    summary: 'Checks every package signature of an Office document and reports it as `pdf.verify` does: who signed, when (TSA or claimed, in Vietnam time), the XAdES level, whether every signed part is unchanged and the package holds nothing unsigned, and whether signer and TSA chain to a trust anchor. Offline: a page\'s file never makes the agent fetch anything. Uses no token; consent as for `pdf.verify`.',
    errors: ['ORIGIN_DENIED', 'DOCUMENT_CORRUPT', 'DOCUMENT_ENCRYPTED', 'UNSUPPORTED_FORMAT', 'TOO_LARGE', 'BAD_REQUEST', 'BUSY', 'TIMEOUT'],
  },
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof METHODS;
export type ParamsOf<M extends MethodName> = z.infer<(typeof METHODS)[M]['params']>;
export type ResultOf<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;
export const isMethodName = (m: string): m is MethodName => Object.hasOwn(METHODS, m);

/** Notifications a client may send (no id, no answer). */
export const CLIENT_NOTIFICATIONS = {
  'request.cancel': {
    params: requestCancelParams,
    summary: 'Cancels a request this connection sent: removed from the queue if waiting, its prompts closed if running. The request then fails with USER_CANCELLED. A token operation already under way finishes first.',
  },
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Notifications from the agent

export const PROGRESS_STAGES = ['queued', 'consent', 'certificate', 'confirm', 'placement', 'pin', 'waiting-for-approval', 'open', 'prepare', 'digest', 'sign', 'embed', 'done'] as const;
export const progressParams = z.object({
  id: z.union([z.string(), z.number()]).describe('The request this is about'),
  stage: z.enum(PROGRESS_STAGES).describe('queued: waiting for another operation; consent/certificate/confirm/placement/pin: waiting for the user; waiting-for-approval: a remote certificate, the provider asks the user to approve in its phone app; open…embed: signing; done: the result follows'),
  document: z.number().int().min(1).optional().describe('batch.sign: the document being signed (1 = the first; waiting-for-approval: the first the approval covers); with `documents`'),
  documents: z.number().int().min(1).optional().describe('batch.sign: how many documents the batch has'),
}).strict();
export const tokensChangedParams = z.object({
  tokenCount: z.number().int().describe('USB tokens plugged in now'),
}).strict();

export const NOTIFICATIONS = {
  progress: { params: progressParams, summary: `Where a \`pdf.sign\`, \`docx.sign\`, \`hash.sign\` or \`batch.sign\` request is (a batch: per document while signing). Sent at most ${NOTIFICATION_DELAY_MS} ms after the stage is reached, or with the answer when that comes first: several may arrive together.` },
  'tokens.changed': { params: tokensChangedParams, summary: 'A token was plugged in or out (or its PIN state changed). Polled about every 2 s while a client is connected.' },
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Envelope and errors

export const requestIdSchema = z.union([z.string().max(64), z.number().int().safe()]);

export const requestEnvelope = z.object({
  jsonrpc: z.literal('2.0'),
  id: requestIdSchema.optional(),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
  attachments: z.array(attachmentAnnounceSchema).min(1).max(MAX_ATTACHMENTS_PER_REQUEST).optional()
    .describe('Documents whose bytes follow this message as binary frames (see "Binary documents")'),
}).strict();
export type RequestEnvelope = z.infer<typeof requestEnvelope>;

export const errorDataSchema = z.object({
  code: z.enum(Object.keys(ERROR_MESSAGES) as [ErrorCode, ...ErrorCode[]]).describe('Stable Kyso error code'),
  messageVi: z.string(),
  messageEn: z.string(),
  detail: z.string().optional().describe('Technical detail for developers, for BAD_REQUEST, TOO_LARGE, BUSY, TIMEOUT, ORIGIN_DENIED and PIN errors only'),
  document: z.number().int().min(1).optional().describe('batch.sign: the document the error is about (1 = the first)'),
}).strict();
export const errorObjectSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: errorDataSchema,
}).strict();
export type ErrorData = z.infer<typeof errorDataSchema>;

