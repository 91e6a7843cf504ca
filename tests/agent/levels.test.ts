/**
 * PAdES levels through the agent: B-T with the timestamp server the user configured (loopback TSA of the test
 * PKI), checked by pdf.verify and pdfsig; B-LT stops before signing when the signer's revocation status cannot
 * be had; no level above B-B without a configured server (a page cannot name one).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { createTimestampClient } from '../../src/core/tsa/http-client.js';
import { fixtures } from '../helpers/fixtures.js';
import { startPkiServices, type PkiServices } from '../helpers/loopback-pki-services.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { RpcClient, b64, samplePdf, startTestAgent, type TestAgent } from './harness.js';

let srv: PkiServices;
let agent: TestAgent | undefined;
beforeAll(async () => { srv = await startPkiServices(); });
afterAll(async () => { await srv?.close(); });
afterEach(async () => { await agent?.close(); agent = undefined; });

const prompter = (): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });

describe('PAdES levels', () => {
  it('B-T by default when the user configured a TSA: the signature carries a valid timestamp', async () => {
    agent = await startTestAgent(prompter(), { timestamp: createTimestampClient({ urls: [srv.tsa.plain] }) });
    const c = await RpcClient.connect(agent.url);
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
    expect(r.error).toBeUndefined();
    expect(r.result.signature.level).toBe('B-T');
    expect(r.result.signature.timestamp.time).toMatch(/^\d{4}-/);
    const v = (await c.call('pdf.verify', { document: r.result.document })).result;
    expect(v.signatures[0].timestamp.valid).toBe(true);
    withTempFile(Buffer.from(r.result.document, 'base64'), 'bt.pdf', (file) => expect(pdfsig(file).signatures[0]?.valid).toBe(true));
    // B-B on request.
    const bb = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa'), level: 'B-B' });
    expect(bb.result.signature.level).toBe('B-B');
    expect(bb.result.signature.timestamp).toBeUndefined();
    await c.close();
  });

  it('B-LT stops with REVOCATION_UNAVAILABLE when the signer has no revocation service', async () => {
    agent = await startTestAgent(prompter(), { timestamp: createTimestampClient({ urls: [srv.tsa.plain] }) });
    const c = await RpcClient.connect(agent.url);
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa'), level: 'B-LT' });
    expect(r.error?.data.code).toBe('REVOCATION_UNAVAILABLE');
    await c.close();
  });

  it('without a configured TSA, B-T is BAD_REQUEST and nothing is asked', async () => {
    const p = prompter();
    agent = await startTestAgent(p);
    const c = await RpcClient.connect(agent.url);
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', level: 'B-T' });
    expect(r.error?.data.code).toBe('BAD_REQUEST');
    expect(p.calls).toEqual([]);
    await c.close();
  });
});
