/**
 * What the agent sends and takes, as plain TypeScript for portal developers (docs/protocol.md is the
 * reference). src/agent/sdk-compat.ts checks at compile time that these match the agent's schemas.
 */

export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** `waiting-for-approval`: a remote certificate; the user approves the signature in the provider's phone app. */
export type ProgressStage =
  | 'queued' | 'consent' | 'certificate' | 'confirm' | 'placement' | 'pin' | 'waiting-for-approval'
  | 'open' | 'prepare' | 'digest' | 'sign' | 'embed' | 'done';

/**
 * With a progress stage of a batch: the document it is about (1 = the first; for `waiting-for-approval`, the first
 * document the approval covers) and how many the batch has.
 */
export interface ProgressDetail { document: number; documents: number }

export interface AgentInfo {
  name: 'kyso';
  version: string;
  protocolVersion: number;
  methods: string[];
  formats: string[];
  limits: { maxDocumentBytes: number; maxFrameBytes: number };
  /** Present when the agent takes documents as binary frames; absent from older agents (base64 only). */
  attachments?: { maxChunkBytes: number; idleTimeoutMs: number };
  tokenCount: number;
  originAllowed: boolean;
}

export interface Subject {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  /** Chức vụ. */
  title?: string;
  email?: string;
  locality?: string;
  province?: string;
  country?: string;
  /** From UID values, e.g. { CCCD: '001190012345', MST: '0101234567' }. */
  identifiers: Record<string, string>;
}

export interface Certificate {
  id: string;
  subject: Subject;
  issuer: Subject;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  keyUsage: string[];
  keyType: 'RSA' | 'EC';
  keySize: number;
  /** Where the key is: a USB token, or a remote signing provider (approved in its phone app). */
  kind: 'token' | 'remote';
  /** kind `token`: the token it is on. */
  token?: { label: string; manufacturer: string; pinState: 'ok' | 'count-low' | 'final-try' | 'locked' };
  /** kind `remote`: the provider, the label the user gave the account, and how many documents one approval covers. */
  remote?: { provider: { id: string; name: string; app: string }; account: string; multiSign: number };
  /** DER, base64. */
  certificate: string;
}

export type PlacementRect = [number, number, number, number];
export type PageSelection = 'all' | 'first' | 'last' | number[];
export interface RectPlacement { page: number; rect: PlacementRect }
export interface PagesPlacement { pages: PageSelection; rect: PlacementRect }
export interface KeywordPlacement {
  keyword: string;
  position?: 'below' | 'above' | 'right' | 'left' | 'over';
  offset?: { x: number; y: number };
  size?: { width: number; height: number };
  occurrence?: 'first' | 'last' | 'all';
  pages?: PageSelection;
  ignoreCase?: boolean;
}
export type Placement = RectPlacement | PagesPlacement | KeywordPlacement;

export interface DocumentStamp {
  text: string;
  placement: RectPlacement | KeywordPlacement;
  fontSize?: number;
  bold?: boolean;
}

export interface AppearanceOptions {
  mode?: 'text' | 'image' | 'image-text';
  show?: {
    signer?: boolean; email?: boolean; organization?: boolean; organizationalUnit?: boolean;
    title?: boolean; time?: boolean; reason?: boolean; location?: boolean; contact?: boolean;
  };
  text?: string;
  /** PNG or JPEG, base64. */
  image?: string;
  fontSize?: number;
  bold?: boolean;
  upperCase?: boolean;
  border?: boolean;
  language?: 'vi' | 'en';
  documentNumber?: DocumentStamp;
  documentDate?: DocumentStamp;
}

/** A document sent as binary frames: the id of an attachment announced in the same message. */
export interface AttachmentRef { attachment: number }

export interface PdfSignParams {
  /** base64, or an attachment of the request. */
  document: string | AttachmentRef;
  fileName: string;
  certificateId?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  placement?: Placement | 'ask';
  appearance?: AppearanceOptions;
  /** PAdES level; B-T and above use the timestamp server configured in Kyso. */
  level?: PadesLevel;
}

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export interface SignatureSummary {
  fieldName: string;
  signingTime: string;
  hash: HashAlgorithm;
  certificateId: string;
  signer?: string;
  byteRange: number[];
  level: PadesLevel;
  timestamp?: { time: string; tsa?: string };
}

/** `document`: base64, or an attachment of the answer when the request sent its document as one. */
export interface PdfSignResult { document: string | AttachmentRef; signature: SignatureSummary }

export interface HashSignParams {
  digest: string;
  algorithm: HashAlgorithm;
  format: 'cms' | 'raw';
  certificateId?: string;
  fileName?: string;
}

export interface HashSignResult {
  /** base64: cms — DER ContentInfo; raw — RSA PKCS#1 v1.5 signature, or DER ECDSA-Sig-Value. */
  signature: string;
  format: 'cms' | 'raw';
  algorithm: HashAlgorithm;
  signatureAlgorithm: 'RSASSA-PKCS1-v1_5' | 'ECDSA';
  certificateId: string;
  certificate: string;
  chain: string[];
}

export interface VerifiedSigner {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  /** Chức vụ. */
  title?: string;
  /** CCCD, CMND, MST, HC, BHXH… from the certificate's UID. */
  identifiers: Record<string, string>;
  issuer?: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

export interface VerifiedSignature {
  fieldName: string;
  kind: 'signature' | 'document-timestamp';
  subFilter: string;
  signer?: VerifiedSigner;
  claimedTime?: string;
  reason?: string;
  location?: string;
  intact: boolean;
  coversWholeFile: boolean;
  bytesAfter: number;
  timestamp?: { time: string; tsa?: string; valid: boolean };
  /** valid; invalid (broken); modified (changed after signing: see changedPages); untrusted (chains to no trust anchor). */
  verdict: 'valid' | 'invalid' | 'modified' | 'untrusted';
  /** The TSA's time when a valid timestamp exists, else the claimed one; `local` in Asia/Ho_Chi_Minh. */
  time?: { at: string; local: string; source: 'tsa' | 'claimed' };
  level?: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
  changesAfter: 'none' | 'allowed' | 'disallowed';
  changedPages: number[];
  trusted: boolean;
  /** Why a chain is not trusted, each naming whose chain. */
  trustProblems: string[];
  problems: string[];
}

/** allIntact: cryptographically intact; allValid: intact with nothing but allowed additions after each signature. */
export interface VerifyResult { signatures: VerifiedSignature[]; allIntact: boolean; allValid: boolean }

export interface DocxSignParams {
  /** base64, or an attachment of the request. */
  document: string | AttachmentRef;
  fileName: string;
  certificateId?: string;
  /** The "purpose for signing" Office shows. */
  reason?: string;
  /** XAdES level; B-T uses the timestamp server configured in Kyso. */
  level?: 'B-B' | 'B-T';
}

export interface DocxSignResult {
  /** base64, or an attachment of the answer when the request sent its document as one. */
  document: string | AttachmentRef;
  signature: {
    part: string; signingTime: string; hash: HashAlgorithm; certificateId: string; signer?: string;
    level: 'B-B' | 'B-T'; timestamp?: { time: string; tsa?: string };
  };
}

/** Reported as a PDF signature is: verdict, time, level, trust; changed and uncovered parts instead of pages. */
export interface DocxVerifiedSignature {
  part: string;
  signer?: VerifiedSigner;
  claimedTime?: string;
  /** Same as claimedTime. */
  signingTime?: string;
  reason?: string;
  timestamp?: { time: string; tsa?: string; valid: boolean };
  verdict: 'valid' | 'invalid' | 'modified' | 'untrusted';
  time?: { at: string; local: string; source: 'tsa' | 'claimed' };
  level?: 'B-B' | 'B-T';
  changesAfter: 'none' | 'disallowed';
  changedParts: string[];
  uncoveredParts: string[];
  trusted: boolean;
  trustProblems: string[];
  valid: boolean;
  coversAllParts: boolean;
  problems: string[];
  notes: string[];
}

export interface DocxVerifyResult { signatures: DocxVerifiedSignature[]; allValid: boolean }

export type BatchDocument =
  | (Omit<PdfSignParams, 'certificateId'> & { type: 'pdf' })
  | (Omit<DocxSignParams, 'certificateId'> & { type: 'docx' });
export interface BatchSignParams { documents: BatchDocument[]; certificateId?: string }
export type BatchSignedDocument = (PdfSignResult & { type: 'pdf' }) | (DocxSignResult & { type: 'docx' });
export interface BatchSignResult { documents: BatchSignedDocument[] }

export interface ErrorData { code: string; messageVi: string; messageEn: string; detail?: string; document?: number }
