/**
 * A page of a site the person already allowed starts a document worker as it connects (src/agent/warm-up.ts), on
 * the agent's endpoint and on the VNPT-CA compatible one; a page of any other site starts nothing. Observed at
 * the pool: what was asked of it, and the worker it started before any document came.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { generateLoopbackCertificates } from '../../src/agent/tls/generator.js';
import { documentWorkers } from '../../src/core/isolation/documents.js';
import { fixtures } from '../helpers/fixtures.js';
import { PORTAL, RpcClient, startTestAgent, until, type TestAgent } from './harness.js';
import { PluginPage } from '../vnpt-compat/plugin-page.js';

const OTHER = 'https://trang-khac.example.vn';
const loopback = generateLoopbackCertificates();
let agent: TestAgent | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await agent?.close();
  agent = undefined;
});

describe('document worker warm-up as a page connects', () => {
  it('an allowed site warms a worker for signing; another site does not, on either endpoint', async () => {
    // Only what is asked of the pool is observed here: no worker starts in this test.
    const warm = vi.spyOn(documentWorkers(), 'warm').mockImplementation(() => undefined);
    const prompter = new ScriptedPrompter({ consent: false, confirm: false, pin: fixtures().softhsm.pin });
    agent = await startTestAgent(prompter, { preGrantedOrigins: [PORTAL], tls: { key: loopback.serverKey, cert: loopback.serverCert }, vnpt: { ports: [0] } });
    const agentUrl = `wss://localhost:${agent.server.port}/`;
    const vnptUrl = `wss://localhost:${agent.server.vnptPort}/plugin`;

    // Another site: its connection is served (a round trip answered) and nothing was warmed.
    const other = await RpcClient.connect(agentUrl, { origin: OTHER, ca: loopback.caCert });
    expect((await other.call('agent.info', {})).result).toBeDefined();
    const otherPage = await PluginPage.open(vnptUrl, { origin: OTHER, ca: loopback.caCert });
    await otherPage.getVersion();
    expect(warm).not.toHaveBeenCalled();
    other.close();
    otherPage.close();

    // The allowed site, on each endpoint: the pool is asked for a signing worker as the page connects.
    const page = await RpcClient.connect(agentUrl, { origin: PORTAL, ca: loopback.caCert });
    await until(() => warm.mock.calls.length === 1, 60_000, 'warm-up on the agent endpoint');
    expect(warm).toHaveBeenLastCalledWith(['sign']);
    const plugin = await PluginPage.open(vnptUrl, { origin: PORTAL, ca: loopback.caCert });
    await until(() => warm.mock.calls.length === 2, 60_000, 'warm-up on the VNPT endpoint');
    expect(warm).toHaveBeenLastCalledWith(['sign']);
    page.close();
    plugin.close();
  });

  it('the warm-up starts a worker before any document, and the next job runs on it', async () => {
    // Nothing else in this file starts a worker (the test above only observes), and each file has its own pool.
    const workers = documentWorkers();
    const before = workers.started;
    const prompter = new ScriptedPrompter({ consent: false, confirm: false, pin: fixtures().softhsm.pin });
    agent = await startTestAgent(prompter, { preGrantedOrigins: [PORTAL], tls: { key: loopback.serverKey, cert: loopback.serverCert } });
    const page = await RpcClient.connect(`wss://localhost:${agent.server.port}/`, { origin: PORTAL, ca: loopback.caCert });
    await until(() => workers.started === before + 1, 60_000, 'a worker started by the connection');
    expect(await workers.run('ping', undefined)).toBe('pong');
    expect(workers.started).toBe(before + 1);
    page.close();
  });
});
