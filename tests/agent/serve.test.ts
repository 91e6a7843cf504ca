/**
 * `kyso serve` as a user runs it: a real process over the SoftHSM token, one line on stdout when ready,
 * --trust-origin and --pin-stdin pre-granting one origin only, the stored PIN dropped once the token refuses it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { startPkiServices, TSA_PASSWORD, TSA_USER } from '../helpers/loopback-pki-services.js';
import { RpcClient, b64, samplePdf, startServe, type Served } from './harness.js';

const TRUSTED = 'https://portal.example';
const running: Served[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((s) => s.stop())); });
const serve = async (args: string[], stdin: string): Promise<Served> => { const s = await startServe(args, stdin); running.push(s); return s; };

describe('kyso serve', () => {
  it('prints one line, signs for the trusted origin with the PIN from stdin, and asks nothing', async () => {
    const s = await serve(['--trust-origin', TRUSTED, '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
    const c = await RpcClient.connect(`ws://127.0.0.1:${s.port}/`, { origin: TRUSTED });
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
    expect(r.error).toBeUndefined();
    withTempFile(Buffer.from(r.result.document, 'base64'), 's.pdf', (file) => expect(pdfsig(file).signatures[0]?.valid).toBe(true));
    // Twice: the PIN stays in memory.
    expect((await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'b.pdf', certificateId: certificateId('ec256') })).error).toBeUndefined();
    await c.close();
    expect(s.stdout()).toBe(`listening on ws://127.0.0.1:${s.port}\n`);
    expect(s.stderr()).not.toContain(fixtures().softhsm.pin);
    expect(s.stderr()).toContain('"fileName":"a.pdf"');
  });

  it('pre-grants that origin only: another site is refused (no terminal to ask)', async () => {
    const s = await serve(['--trust-origin', TRUSTED, '--pin-stdin'], `${fixtures().softhsm.pin}\n`);
    const c = await RpcClient.connect(`ws://127.0.0.1:${s.port}/`, { origin: 'https://other.example' });
    expect((await c.call('certificates.list')).error?.data.code).toBe('ORIGIN_DENIED');
    expect((await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') })).error?.data.code).toBe('ORIGIN_DENIED');
    // A page cannot turn the flags on.
    const t = await RpcClient.connect(`ws://127.0.0.1:${s.port}/`, { origin: 'https://other.example' });
    expect((await t.call('agent.info', { trustOrigin: 'https://other.example' })).error?.data.code).toBe('BAD_REQUEST');
    expect((await t.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', pinStdin: true })).error?.data.code).toBe('BAD_REQUEST');
    await c.close();
    await t.close();
  });

  it('a wrong PIN from stdin is tried once, then forgotten: the token is not locked by repetition', async () => {
    const s = await serve(['--trust-origin', TRUSTED, '--pin-stdin'], '0000000\n');
    const c = await RpcClient.connect(`ws://127.0.0.1:${s.port}/`, { origin: TRUSTED });
    const params = { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') };
    expect((await c.call('pdf.sign', params)).error?.data.code).toBe('PIN_INCORRECT');
    expect((await c.call('pdf.sign', params)).error?.data.code).toBe('PIN_REQUIRED');
    expect((await c.call('pdf.sign', params)).error?.data.code).toBe('PIN_REQUIRED');
    await c.close();
  });

  it('--tsa with --tsa-user and the password on stdin line 2: signatures are B-T from a TSA that needs the account', async () => {
    const svc = await startPkiServices();
    try {
      const s = await serve(['--trust-origin', TRUSTED, '--pin-stdin', '--tsa', svc.tsa.auth, '--tsa-user', TSA_USER, '--tsa-password-stdin'], `${fixtures().softhsm.pin}\n${TSA_PASSWORD}\n`);
      const c = await RpcClient.connect(`ws://127.0.0.1:${s.port}/`, { origin: TRUSTED });
      const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
      expect(r.error).toBeUndefined();
      expect(r.result.signature).toMatchObject({ level: 'B-T', timestamp: { time: expect.any(String) } });
      expect(svc.hits.get('/tsa-auth')).toBeGreaterThan(0);
      expect(s.stderr()).not.toContain(TSA_PASSWORD);
      await c.close();

      // Without the password the TSA refuses, and the page gets TSA_AUTH_REQUIRED (no unstamped signature).
      const bare = await serve(['--trust-origin', TRUSTED, '--pin-stdin', '--tsa', svc.tsa.auth], `${fixtures().softhsm.pin}\n`);
      const d = await RpcClient.connect(`ws://127.0.0.1:${bare.port}/`, { origin: TRUSTED });
      expect((await d.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') })).error?.data.code).toBe('TSA_AUTH_REQUIRED');
      await d.close();
    } finally {
      await svc.close();
    }
  });
});
