/** Time-stamping: the client interface, its HTTP implementation and the RFC 3161 token checks. */
export type { TimestampClient, TimestampToken, TstInfo } from './api.js';
export { DEFAULT_TOKEN_RESERVE } from './api.js';
export { HttpTimestampClient, createTimestampClient, type TsaSettings } from './http-client.js';
export { buildTimestampRequest, checkTimestampToken, parseTimestampResponse, parseTstInfo, type TokenCheck } from './rfc3161.js';
export { timestampSignatureValue, type SignatureTimestamp } from './signature-timestamp.js';
