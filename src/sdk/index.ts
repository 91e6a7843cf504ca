/** Kyso SDK for portals: `new KysoClient(options)`, then `signPdf`, `signHash`, `verifyPdf`, `listCertificates`. */
export { KysoClient, DEFAULT_PORTS, LOCAL_NETWORK_PROMPT, type KysoClientOptions, type CallOptions, type SignPdfOptions, type SignedPdf, type SignDocxOptions, type SignedDocx, type SignHashOptions, type SignedHash, type SignBatchItem, type SignBatchOptions } from './client.js';
export { KysoError, type SdkErrorCode } from './errors.js';
export { bytesToBase64, base64ToBytes } from './base64.js';
export type * from './types.js';
