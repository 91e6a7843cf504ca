/** A CscKeySource over the test CSC service, with the account and secrets a test needs, and the approvals it saw. */
import type { CscServer } from '../helpers/csc-server.js';
import { CSC_CLIENT_ID, CSC_CLIENT_SECRET, CSC_PASSWORD, CSC_USER } from '../helpers/csc-server.js';
import { CscKeySource, type SecretRequest } from '../../src/core/remote/remote-source.js';
import type { ApprovalNotice, RemoteAccount, RemoteProvider } from '../../src/core/remote/types.js';

export function testProvider(server: CscServer, overrides: Partial<RemoteProvider> = {}): RemoteProvider {
  return {
    id: 'csc-test', name: 'CSC thử nghiệm', app: 'Kyso Test Sign', baseUrl: server.baseUrl, protocol: 'csc-v2',
    account: { kind: 'cccd', userIdTemplate: '{account}' },
    // Fast polling; the deadline is long: a test never waits for it unless it asks for a short one.
    approval: { pollIntervalMs: 5, timeoutMs: 120_000 },
    ...overrides,
  };
}

export const TEST_ACCOUNT: RemoteAccount = { id: 'acc-0123456789ab', providerId: 'csc-test', account: CSC_USER, label: 'CCCD của tôi' };

export interface Harness {
  source: CscKeySource;
  /** Every notice shown, and whether it was closed. */
  notices: { notice: ApprovalNotice; closed: boolean }[];
  secrets: SecretRequest[];
  onApproval: (notice: ApprovalNotice) => () => void;
}

export function harness(server: CscServer, options: { provider?: Partial<RemoteProvider>; password?: string } = {}): Harness {
  const provider = testProvider(server, options.provider);
  const notices: Harness['notices'] = [];
  const secrets: SecretRequest[] = [];
  const source = new CscKeySource({
    accounts: () => [TEST_ACCOUNT],
    providers: [provider],
    askSecret: async (request) => {
      secrets.push(request);
      return request.kind === 'client-secret' ? CSC_CLIENT_SECRET : options.password ?? CSC_PASSWORD;
    },
  });
  return {
    source, notices, secrets,
    onApproval: (notice) => {
      const entry = { notice, closed: false };
      notices.push(entry);
      return () => { entry.closed = true; };
    },
  };
}

export { CSC_CLIENT_ID };
