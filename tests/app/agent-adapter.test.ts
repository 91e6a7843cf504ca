/**
 * The binding to the agent: one TokenService per process built from the vendor catalogue plus the user's
 * module paths (here the SoftHSM module, as a user-added path), handed to the agent with our Prompter and the
 * settings; token presence reported to the tray; a missing agent module is a clear failure, not a crash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessAgent, type AgentModule } from '../../src/app/agent-adapter.js';
import type { AgentStartOptions } from '../../src/app/agent-runtime.js';
import type { Prompter } from '../../src/app/prompter-types.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';

let agent: InProcessAgent | undefined;
afterEach(async () => { await agent?.stop(); agent = undefined; });

const options = (): AgentStartOptions => {
  process.env.SOFTHSM2_CONF = fixtures().softhsm.conf;
  return { prompter: {} as Prompter, port: null, modulePaths: [fixtures().softhsm.module], logLevel: 'info', logDir: '/tmp/kyso-logs', dataDir: '/tmp/kyso-data', tls: false, vnpt: false };
};

describe('in-process agent binding', () => {
  it('gives the agent the token layer (with the user\'s module), our prompter and the settings; the tray sees the tokens', async () => {
    const seen: Array<Parameters<AgentModule['startAgent']>[0]> = [];
    let closed = 0;
    const module: AgentModule = {
      DEFAULT_PORT: 41234,
      startAgent: async (o) => {
        seen.push(o);
        return { port: 41234, close: async () => { closed++; }, allowedSites: () => [{ origin: 'https://dichvucong.gov.vn' }], revokeSite: () => {} };
      },
    };
    agent = new InProcessAgent(async () => module);
    let changes = 0;
    agent.onTokensChanged(() => changes++);
    const opts = options();
    expect(await agent.start(opts)).toEqual({ port: 41234 });
    expect(agent.defaultPort).toBe(41234);
    expect(seen[0]).toMatchObject({ prompter: opts.prompter, modulePaths: opts.modulePaths, logLevel: 'info' });
    expect(seen[0]!.tokens.certificates().some((c) => c.id === certificateId('rsa'))).toBe(true);
    expect(agent.tokens().length).toBeGreaterThan(0);
    expect(agent.certificates().map((c) => c.id)).toContain(certificateId('rsa'));
    expect(changes).toBe(1); // first look at the tokens
    expect(agent.allowedSites()).toEqual([{ origin: 'https://dichvucong.gov.vn' }]);
    await agent.stop();
    expect(closed).toBe(1);
    expect(agent.tokens()).toEqual([]);
  });

  it('without the agent module: start fails with a reason the tray can show', async () => {
    agent = new InProcessAgent(async () => { throw Object.assign(new Error('Cannot find module'), { code: 'ERR_MODULE_NOT_FOUND' }); });
    await expect(agent.start(options())).rejects.toThrow();
    // The tokens still show in the tray.
    expect(agent.tokens().length).toBeGreaterThan(0);
  });
});
