/** Remote signing (ký số từ xa) for the CLI and the agent: the seam's types, the CSC v2 key source, accounts, providers. */
export type { ApprovalListener, ApprovalNotice, RemoteAccount, RemoteCertificate, RemoteKeySource, RemoteProvider, RemoteSigningKey } from './types.js';
export { CscKeySource, type AskSecret, type CscKeySourceOptions, type SecretRequest } from './remote-source.js';
export { RemoteAccountStore, REMOTE_ACCOUNTS_FILE } from './account-store.js';
export { BUILT_IN_PROVIDERS, REMOTE_PROVIDERS_FILE, findProvider, loadProviders, normalizeAccount, userIdFor } from './providers.js';
