/**
 * The tray app's binding (src/app/agent-adapter.ts) loads this agent by name and starts it with its own
 * TokenService, Prompter and directories: the real module, a real signature, the allowed sites and revocation
 * the tray shows, the trust anchors from the tray's settings, and the log file in the app's log directory.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessAgent } from '../../src/app/agent-adapter.js';
import { DEFAULT_PORT } from '../../src/agent/index.js';
import { DEFAULT_PORTS as SDK_PORTS } from '../../src/sdk/client.js';
import { DEFAULT_PORTS } from '../../src/agent/protocol-constants.js';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { parseAnchorFile } from '../../src/core/validation/trust.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { PORTAL, RpcClient, b64, samplePdf } from './harness.js';

let tray: InProcessAgent | undefined;
afterEach(async () => { await tray?.stop(); tray = undefined; });

describe('the tray app binding', () => {
  it('starts the agent module, signs, lists and revokes allowed sites, logs to the app\'s log directory', async () => {
    process.env.SOFTHSM2_CONF = fixtures().softhsm.conf;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-tray-'));
    const prompter = new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });
    tray = new InProcessAgent();
    // The user's extra trust anchors, as the tray's settings give them (settingsAnchors).
    const trustAnchors = parseAnchorFile(new Uint8Array(readFileSync(fixtures().pki.rootCa)), 'settings: Kyso Test Root CA');
    const { port } = await tray.start({ prompter, port: 0, modulePaths: [fixtures().softhsm.module], logLevel: 'info', logDir: path.join(dir, 'logs'), dataDir: path.join(dir, 'data'), trustAnchors });
    expect(tray.defaultPort).toBe(DEFAULT_PORT);
    let sitesChanged = 0;
    tray.onSitesChanged(() => sitesChanged++);
    const c = await RpcClient.connect(`ws://127.0.0.1:${port}/`);
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'a.pdf', certificateId: certificateId('rsa') });
    expect(r.error).toBeUndefined();
    // pdf.verify trusts the anchors the tray passed (the test root is no built-in one).
    expect((await c.call('pdf.verify', { document: r.result.document })).result.signatures[0]).toMatchObject({ verdict: 'valid', trusted: true });
    expect(tray.allowedSites()).toMatchObject([{ origin: PORTAL }]);
    // The consent given in the prompt reaches the tray's list without a restart.
    expect(sitesChanged).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'data', 'agent-settings.json'))).toBe(true);
    tray.revokeSite(PORTAL);
    expect(tray.allowedSites()).toEqual([]);
    await c.close();
    await tray.stop();
    tray = undefined;
    const log = readFileSync(path.join(dir, 'logs', 'agent.log'), 'utf8');
    expect(log).toContain('"method":"pdf.sign"');
    expect(log).not.toContain(fixtures().softhsm.pin);
  });

  it('the SDK and the agent agree on the default ports', () => {
    expect([...SDK_PORTS]).toEqual([...DEFAULT_PORTS]);
  });
});
