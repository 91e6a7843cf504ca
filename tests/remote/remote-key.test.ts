/**
 * The remote key source against the strict test CSC service: certificates listed with their chain, digests signed
 * exactly as a PKCS#11 key signs them (checked with node:crypto against the certificate), gathered into as few
 * phone approvals as multisign allows, and every failure typed with no signature returned.
 */
import { createHash, X509Certificate, verify as cryptoVerify, publicDecrypt, constants } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startCscServer, CSC_CLIENT_ID, CSC_PASSWORD, CSC_USER, type CscServer } from '../helpers/csc-server.js';
import { CscClient } from '../../src/core/remote/csc-client.js';
import { HASH_OID, RSA_ENCRYPTION } from '../../src/core/remote/csc-algorithms.js';
import { until } from '../agent/harness.js';
import { fingerprint } from '../../src/core/cert/parse.js';
import { digestInfo } from '../../src/core/token/signature-encoding.js';
import { KysoError } from '../../src/core/errors.js';
import { harness } from './harness.js';

let server: CscServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

const digest = (text: string): Uint8Array => new Uint8Array(createHash('sha256').update(text).digest());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof KysoError ? e.code : `untyped: ${String(e)}`;
  }
}

describe('remote key source (CSC v2)', () => {
  it('lists the certificates with their chain, ids as token certificates have', async () => {
    server = await startCscServer();
    const h = harness(server);
    const certs = await h.source.certificates();
    expect(certs.map((c) => c.info.subject.commonName).sort()).toEqual(['NGUYỄN THỊ ÁNH TUYẾT', 'TRẦN VĂN ĐỨC'].sort());
    for (const c of certs) {
      expect(c.id).toBe(fingerprint(c.der));
      expect(c.chain).toHaveLength(2);
      expect(c.multiSign).toBe(10);
      expect(c.provider).toEqual({ id: 'csc-test', name: 'CSC thử nghiệm', app: 'Kyso Test Sign' });
    }
    // The password was asked once, for this account, and sent only in auth/login's Authorization header.
    expect(h.secrets.map((s) => s.kind)).toEqual(['password']);
    expect(JSON.stringify(server.calls)).not.toContain('mật-khẩu');
  });

  it('signs an RSA digest as PKCS#1 v1.5 over DigestInfo, and an EC digest as DER ECDSA, after one approval each', async () => {
    server = await startCscServer({ ecdsaRaw: true });
    const h = harness(server);
    const certs = await h.source.certificates();
    for (const cert of certs) {
      const key = await h.source.signingKey(cert.id, { documents: 1, onApproval: h.onApproval });
      const d = digest(`tài liệu ${cert.id}`);
      const sig = await key.signDigest(d, 'SHA-256');
      const publicKey = new X509Certificate(cert.der).publicKey;
      if (cert.info.keyType === 'RSA') {
        expect(publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, sig)).toEqual(digestInfo(d, 'SHA-256'));
      } else {
        expect(sig[0]).toBe(0x30);
        // signData goes through the same path: verify it over the data with node:crypto (DER encoding).
        const data = Buffer.from('SignedInfo của tài liệu');
        const sig2 = await (await h.source.signingKey(cert.id, { documents: 1, onApproval: h.onApproval })).signData(data, 'SHA-256');
        expect(cryptoVerify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, sig2)).toBe(true);
      }
    }
    expect(h.notices.length).toBe(3);
    expect(h.notices.every((n) => n.closed)).toBe(true);
    expect(h.notices[0]!.notice.approval).toEqual({ index: 1, of: 1 });
    // Only hashes left the machine, and each authorization was bound to them (SCAL2).
    const authorizes = server.calls.filter((c) => c.method === 'credentials/authorize');
    expect(authorizes.every((c) => Array.isArray(c.body.hashes) && c.body.numSignatures === (c.body.hashes as unknown[]).length)).toBe(true);
  });

  it('gathers 5 digests into one approval with multisign 10, and into three with multisign 2', async () => {
    for (const [multisign, approvals] of [[10, 1], [2, 3]] as const) {
      server = await startCscServer({ multisign, signers: ['rsa'] });
      const h = harness(server);
      const [cert] = await h.source.certificates();
      const key = await h.source.signingKey(cert!.id, { documents: 5, onApproval: h.onApproval });
      const digests = [1, 2, 3, 4, 5].map((i) => digest(`văn bản ${i}`));
      const sigs = await Promise.all(digests.map((d) => key.signDigest(d, 'SHA-256')));
      expect(sigs).toHaveLength(5);
      expect(server.calls.filter((c) => c.method === 'credentials/authorize')).toHaveLength(approvals);
      expect(h.notices.map((n) => n.notice.approval)).toEqual(Array.from({ length: approvals }, (_, i) => ({ index: i + 1, of: approvals })));
      expect(h.notices.map((n) => n.notice.documents)).toEqual(multisign === 10 ? [5] : [2, 2, 1]);
      await server.close();
      server = undefined;
    }
  });

  it('does not wait for a document that failed before its digest: skipDocument sends what is gathered', async () => {
    server = await startCscServer({ signers: ['rsa'] });
    const h = harness(server);
    const [cert] = await h.source.certificates();
    const key = await h.source.signingKey(cert!.id, { documents: 3, onApproval: h.onApproval });
    const first = key.signDigest(digest('một'), 'SHA-256');
    const second = key.signDigest(digest('hai'), 'SHA-256');
    // Two of three arrived: nothing is sent yet.
    expect(server.calls.some((c) => c.method === 'credentials/authorize')).toBe(false);
    key.skipDocument();
    await Promise.all([first, second]);
    const authorize = server.calls.filter((c) => c.method === 'credentials/authorize');
    expect(authorize).toHaveLength(1);
    expect(authorize[0]!.body.numSignatures).toBe(2);
  });

  it('declined on the phone: REMOTE_REJECTED for every digest of the batch, and later calls, without asking again', async () => {
    server = await startCscServer({ signers: ['rsa'] });
    server.phone.answer = 'decline';
    const h = harness(server);
    const [cert] = await h.source.certificates();
    const key = await h.source.signingKey(cert!.id, { documents: 2, onApproval: h.onApproval });
    const codes = await Promise.all([codeOf(key.signDigest(digest('a'), 'SHA-256')), codeOf(key.signDigest(digest('b'), 'SHA-256'))]);
    expect(codes).toEqual(['REMOTE_REJECTED', 'REMOTE_REJECTED']);
    expect(await codeOf(key.signDigest(digest('c'), 'SHA-256'))).toBe('REMOTE_REJECTED');
    expect(server.calls.filter((c) => c.method === 'credentials/authorize')).toHaveLength(1);
    expect(server.calls.some((c) => c.method === 'signatures/signHash')).toBe(false);
    expect(h.notices.every((n) => n.closed)).toBe(true);
  });

  it('the service expires the request: REMOTE_TIMEOUT; the phone never answers: REMOTE_TIMEOUT at the deadline', async () => {
    server = await startCscServer({ signers: ['rsa'] });
    server.phone.answer = 'expire';
    let h = harness(server);
    let [cert] = await h.source.certificates();
    expect(await codeOf((await h.source.signingKey(cert!.id, { documents: 1, onApproval: h.onApproval })).signDigest(digest('x'), 'SHA-256'))).toBe('REMOTE_TIMEOUT');
    server.phone.answer = 'never';
    h = harness(server, { provider: { approval: { pollIntervalMs: 5, timeoutMs: 50 } } });
    [cert] = await h.source.certificates();
    expect(await codeOf((await h.source.signingKey(cert!.id, { documents: 1, onApproval: h.onApproval })).signDigest(digest('y'), 'SHA-256'))).toBe('REMOTE_TIMEOUT');
    expect(h.notices[0]!.closed).toBe(true);
    expect(server.calls.some((c) => c.method === 'signatures/signHash')).toBe(false);
  });

  it('cancelling while the phone is asked stops polling: USER_CANCELLED', async () => {
    server = await startCscServer({ signers: ['rsa'] });
    server.phone.answer = 'never';
    const h = harness(server);
    const [cert] = await h.source.certificates();
    const abort = new AbortController();
    const key = await h.source.signingKey(cert!.id, { documents: 1, onApproval: h.onApproval, signal: abort.signal });
    const pending = codeOf(key.signDigest(digest('z'), 'SHA-256'));
    await until(() => (server!.phone.requests[0]?.polls ?? 0) >= 2, 60_000, 'the phone to be polled');
    abort.abort();
    expect(await pending).toBe('USER_CANCELLED');
    const polls = server.calls.filter((c) => c.method === 'credentials/authorizeCheck').length;
    expect(h.notices[0]!.closed).toBe(true);
    // No poll after the cancel settles (one may have been in flight).
    await new Promise((r) => setTimeout(r, 50));
    expect(server.calls.filter((c) => c.method === 'credentials/authorizeCheck').length).toBeLessThanOrEqual(polls + 1);
  });

  it('wrong password: REMOTE_AUTH_FAILED; service down: REMOTE_UNREACHABLE; closed port: REMOTE_UNREACHABLE', async () => {
    server = await startCscServer({ signers: ['rsa'] });
    expect(await codeOf(harness(server, { password: 'sai' }).source.certificates())).toBe('REMOTE_AUTH_FAILED');
    server.failWith = 503;
    expect(await codeOf(harness(server).source.certificates())).toBe('REMOTE_UNREACHABLE');
    server.failWith = undefined;
    const h = harness(server);
    await server.close();
    expect(await codeOf(h.source.certificates())).toBe('REMOTE_UNREACHABLE');
    server = undefined;
  });

  it('a SAD is bound to its hashes (SCAL2): the service refuses a tampered hash, and Kyso reports it typed', async () => {
    server = await startCscServer({ signers: ['rsa'] });
    const client = new CscClient(server.baseUrl);
    client.setAccessToken((await client.login(CSC_USER, CSC_PASSWORD)).accessToken);
    const [credentialId] = (await client.listCredentials(undefined)).ids;
    const approved = Buffer.from(digest('đã duyệt')).toString('base64');
    let state = await client.authorize({ credentialId: credentialId!, hashes: [approved], hashAlgorithmOID: HASH_OID['SHA-256'], authData: [{ id: 'phone' }] });
    while ('handle' in state) state = await client.authorizeCheck(state.handle);
    const tampered = Buffer.from(digest('bị sửa')).toString('base64');
    const refused = client.signHash({ credentialId: credentialId!, SAD: state.SAD, hashes: [tampered], signAlgo: RSA_ENCRYPTION, hashAlgorithmOID: HASH_OID['SHA-256'] });
    await expect(refused).rejects.toMatchObject({ code: 'SIGNING_FAILED', detail: expect.stringContaining('Hash is not authorized by the SAD') });
    // The approved hash still signs once, and only once (numSignatures 1).
    await client.signHash({ credentialId: credentialId!, SAD: state.SAD, hashes: [approved], signAlgo: RSA_ENCRYPTION, hashAlgorithmOID: HASH_OID['SHA-256'] });
    await expect(client.signHash({ credentialId: credentialId!, SAD: state.SAD, hashes: [approved], signAlgo: RSA_ENCRYPTION, hashAlgorithmOID: HASH_OID['SHA-256'] })).rejects.toMatchObject({ code: 'SIGNING_FAILED' });
    // Unknown parameters are refused as the spec's error JSON.
    await expect(client.authorize({ credentialId: credentialId!, hashes: [approved, tampered], hashAlgorithmOID: HASH_OID['SHA-256'], authData: [{ id: 'phone', value: 'x' }] })).rejects.toMatchObject({ code: 'REMOTE_AUTH_FAILED' });
    expect(server.calls.at(-1)).toMatchObject({ status: 400 });
  });

  it('a service that signs another digest than the one sent: SIGNING_FAILED, the signature is never used', async () => {
    server = await startCscServer();
    server.signOtherDigest = true;
    const h = harness(server);
    for (const cert of await h.source.certificates()) {
      const key = await h.source.signingKey(cert.id, { documents: 1, onApproval: h.onApproval });
      expect(await codeOf(key.signData(Buffer.from('thuộc tính đã ký'), 'SHA-256'))).toBe('SIGNING_FAILED');
    }
  });

  it('the test service is strict: unknown and missing parameters get the spec\'s error JSON', async () => {
    server = await startCscServer({ signers: ['rsa'] });
    const post = async (method: string, body: unknown, headers: Record<string, string> = {}) => {
      const r = await fetch(`${server!.baseUrl}/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
      return { status: r.status, json: await r.json() as Record<string, unknown> };
    };
    expect(await post('info', { lang: 'vi', extra: 1 })).toEqual({ status: 400, json: { error: 'invalid_request', error_description: 'Unknown parameter extra' } });
    const login = await fetch(`${server.baseUrl}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${CSC_USER}:${CSC_PASSWORD}`).toString('base64')}` }, body: '{}' });
    const auth = { Authorization: `Bearer ${(await login.json() as { access_token: string }).access_token}` };
    expect((await post('credentials/list', { userID: CSC_USER }, auth)).json).toMatchObject({ error: 'invalid_request', error_description: 'userID parameter MUST be null' });
    const id = server.credentialIds.rsa;
    const h = Buffer.from(digest('x')).toString('base64');
    expect((await post('credentials/authorize', { credentialID: id, hashes: [h], hashAlgorithmOID: HASH_OID['SHA-256'], authData: [{ id: 'phone' }] }, auth)).json).toMatchObject({ error_description: 'Missing (or invalid type) integer parameter numSignatures' });
    expect((await post('credentials/authorize', { credentialID: id, numSignatures: 11, hashes: [h], hashAlgorithmOID: HASH_OID['SHA-256'], authData: [{ id: 'phone' }] }, auth)).json).toMatchObject({ error_description: 'Numbers of signatures is too high' });
    expect((await post('signatures/signHash', { credentialID: id, SAD: 'nope', hashes: [h], signAlgo: RSA_ENCRYPTION }, auth)).json).toMatchObject({ error_description: 'Invalid parameter SAD' });
    expect((await post('credentials/info', { credentialID: id })).status).toBe(401);
  });

  it('OAuth 2.0 client credentials, then userID names the user; asynchronous signHash polled with signatures/signPolling', async () => {
    server = await startCscServer({ signers: ['ec256'], asyncPendingPolls: 2 });
    const h = harness(server, { provider: { auth: { type: 'oauth2client', clientId: CSC_CLIENT_ID }, asyncSignHash: true } });
    const [cert] = await h.source.certificates();
    expect(h.secrets.map((s) => s.kind)).toEqual(['client-secret']);
    const key = await h.source.signingKey(cert!.id, { documents: 1, onApproval: h.onApproval });
    const data = Buffer.from('dữ liệu');
    const sig = await key.signData(data, 'SHA-256');
    expect(cryptoVerify('sha256', data, { key: new X509Certificate(cert!.der).publicKey, dsaEncoding: 'der' }, sig)).toBe(true);
    expect(server.calls.filter((c) => c.method === 'signatures/signPolling').length).toBeGreaterThanOrEqual(3);
  });
});
