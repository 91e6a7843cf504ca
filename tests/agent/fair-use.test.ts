/**
 * Fair use: what a hostile page can do to the agent without any consent, each attack run against the real
 * server on loopback with raw sockets or real WebSocket clients:
 * - many connections from one site (rotating subdomains too) do not lock the real portal out;
 * - one consent prompt at a time in all, and a growing quiet time after refusals (no prompt flood);
 * - sockets that dribble their request headers are dropped at the deadline, on both endpoints;
 * - silent WebSockets are closed on both endpoints, while pings keep a live one open.
 * Deadlines are made short through options; tests wait for events ('close'), bounded by a guard that fails.
 */
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { OriginPolicy } from '../../src/agent/origin-policy.js';
import { SettingsStore } from '../../src/agent/settings-store.js';
import { siteOf } from '../../src/agent/connection-slots.js';
import { generateLoopbackCertificates } from '../../src/agent/tls/generator.js';
import { fixtures } from '../helpers/fixtures.js';
import { PORTAL, RpcClient, gate, startTestAgent, until, type TestAgent } from './harness.js';

let agent: TestAgent | undefined;
const clients: RpcClient[] = [];
const sockets: Array<net.Socket | WebSocket> = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s instanceof net.Socket ? s.destroy() : s.terminate();
  for (const c of clients.splice(0)) if (c.ws.readyState === c.ws.OPEN) await c.close();
  await agent?.close();
  agent = undefined;
});

const allowAll = (): ScriptedPrompter => new ScriptedPrompter({ consent: true, confirm: true, pin: fixtures().softhsm.pin });

async function connect(origin: string, url = agent!.url): Promise<RpcClient> {
  const c = await RpcClient.connect(url, { origin });
  clients.push(c);
  return c;
}

/** Rejects with the HTTP status when the agent refuses the handshake. */
const refusedStatus = (origin: string, url = agent!.url): Promise<number> =>
  RpcClient.connect(url, { origin }).then((c) => { clients.push(c); return 101; }, (e: { status?: number }) => e.status ?? 0);

describe('connection slots', () => {
  it('one site holds at most 4 of the 16 slots, rotating subdomains included; the real portal still connects', async () => {
    agent = await startTestAgent(allowAll());
    for (let i = 0; i < 4; i++) await connect(`https://s${i}.evil.example`);
    expect(await refusedStatus('https://evil.example')).toBe(503);
    expect(await refusedStatus('https://s99.evil.example:8443')).toBe(503);
    expect(agent.logText()).toContain('too many connections from evil.example');
    const portal = await connect(PORTAL);
    expect((await portal.call('agent.info')).result.name).toBe('kyso');
    // A slot comes back when its socket closes.
    await clients[0]!.close();
    await until(() => agent!.server.connectionCount() === 4, 5000, 'slot released');
    await connect('https://s5.evil.example');
  });

  it('sites are registrable domains, approximated', () => {
    expect(siteOf('https://dichvucong.gov.vn')).toBe('dichvucong.gov.vn');
    expect(siteOf('https://a.b.dichvucong.gov.vn:8443')).toBe('dichvucong.gov.vn');
    expect(siteOf('https://x1.evil.example')).toBe('evil.example');
    expect(siteOf('http://127.0.0.1:3000')).toBe('127.0.0.1');
    expect(siteOf('http://[::1]:3000')).toBe('::1');
    expect(siteOf('http://localhost:3000')).toBe('localhost');
  });

  it('the VNPT-CA Plugin endpoint shares the slots', async () => {
    agent = await startTestAgent(allowAll(), { vnpt: { ports: [0] } });
    const plugin = `ws://127.0.0.1:${agent.server.vnptPort}/plugin`;
    for (let i = 0; i < 2; i++) await connect(`https://s${i}.evil.example`);
    for (let i = 2; i < 4; i++) await connect(`https://s${i}.evil.example`, plugin);
    expect(await refusedStatus('https://s4.evil.example', plugin)).toBe(503);
    expect(await refusedStatus('https://s5.evil.example')).toBe(503);
    await connect(PORTAL, plugin);
  });
});

describe('consent prompts', () => {
  it('one prompt at a time in all: other new origins get BUSY at once; the same origin shares the open prompt', async () => {
    const held = gate<boolean>();
    const prompter = new ScriptedPrompter({ consent: () => held.promise });
    agent = await startTestAgent(prompter, { limits: { requestTimeoutMs: 10_000 } });
    const first = await connect('https://s0.evil-a.example');
    const asked = first.call('certificates.list');
    const sameOrigin = first.call('pdf.verify', { document: Buffer.from('%PDF-1.7\n').toString('base64') });
    await until(() => prompter.count('consent') === 1, 5000, 'first prompt');
    for (const origin of ['https://s1.evil-b.example', 'https://s2.evil-c.example', PORTAL]) {
      const r = await (await connect(origin)).call('certificates.list');
      expect(r.error?.data.code, origin).toBe('BUSY');
      expect(r.error?.data.messageVi).toBe('Kyso đang bận xử lý yêu cầu khác.');
      expect(r.error?.data.detail).toMatch(/consent prompt/);
    }
    expect(prompter.count('consent')).toBe(1);
    held.open(false);
    expect((await asked).error?.data.code).toBe('ORIGIN_DENIED');
    expect((await sameOrigin).error?.data.code).toBe('ORIGIN_DENIED');
    expect(prompter.count('consent')).toBe(1);
  });

  it('after a refusal no site is asked for a while (BUSY); allowing a site ends it', async () => {
    const prompter = new ScriptedPrompter({ consent: false });
    agent = await startTestAgent(prompter, { refusalBackoffMs: 60_000 });
    expect((await (await connect('https://s0.evil.example')).call('certificates.list')).error?.data.code).toBe('ORIGIN_DENIED');
    for (const origin of ['https://s1.evil.example', 'https://other.example', PORTAL]) {
      const r = await (await connect(origin)).call('certificates.list');
      expect(r.error?.data.code, origin).toBe('BUSY');
      expect(r.error?.data.detail).toMatch(/refused a site/);
    }
    expect(prompter.count('consent')).toBe(1);
  });

  it('the quiet time doubles with each refusal in a row, up to its cap, and an allowed site resets it', async () => {
    let t = 1_000_000;
    const settings = new SettingsStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'kyso-policy-')), 'settings.json'));
    let answer = false;
    const prompter = new ScriptedPrompter({ consent: () => answer });
    const policy = new OriginPolicy(settings, prompter, { now: () => t, refusalBackoffMs: 1000, maxRefusalBackoffMs: 4000 });
    const ask = (origin: string): Promise<string> => policy.ensure(origin).then(() => 'allowed', (e: { code: string }) => e.code);
    const site = (i: number): string => `https://s${i}.evil.example`;

    expect(await ask(site(0))).toBe('ORIGIN_DENIED'); // 1st refusal: 1 s
    t += 999; expect(await ask(site(1))).toBe('BUSY');
    t += 1; expect(await ask(site(1))).toBe('ORIGIN_DENIED'); // 2nd: 2 s
    t += 1999; expect(await ask(site(2))).toBe('BUSY');
    t += 1; expect(await ask(site(2))).toBe('ORIGIN_DENIED'); // 3rd: 4 s
    t += 3999; expect(await ask(site(3))).toBe('BUSY');
    t += 1; expect(await ask(site(3))).toBe('ORIGIN_DENIED'); // 4th: capped at 4 s
    t += 3999; expect(await ask(site(4))).toBe('BUSY');
    t += 1; expect(prompter.count('consent')).toBe(4);
    // A refused origin keeps its own (longer) cooldown, whatever the global one says.
    expect(await ask(site(3))).toBe('ORIGIN_DENIED');
    expect(prompter.count('consent')).toBe(4);
    answer = true;
    expect(await ask(PORTAL)).toBe('allowed');
    answer = false;
    expect(await ask(site(5))).toBe('ORIGIN_DENIED'); // the count starts again: 1 s
    t += 1000; expect(await ask(site(6))).toBe('ORIGIN_DENIED');
  });
});

/**
 * A raw client that sends `burst` at once, then `text` one byte at a time (one every 20 ms), and resolves when
 * the server closes the socket or the text runs out: `completed` says whether all of it was sent.
 */
function dribble(port: number, text: string, burst = '', ca?: string): Promise<{ completed: boolean; answer: string }> {
  return new Promise((resolve) => {
    const socket = ca ? tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca }) : net.connect(port, '127.0.0.1');
    if (burst) socket.write(Buffer.from(burst, 'latin1'));
    sockets.push(socket);
    let i = 0;
    let answer = '';
    let closed = false;
    socket.on('data', (d) => { answer += d.toString('latin1'); });
    socket.on('error', () => { /* reset by the server */ });
    socket.on('close', () => { closed = true; clearInterval(timer); resolve({ completed: i >= text.length, answer }); });
    const timer = setInterval(() => {
      if (closed) return;
      if (i >= text.length) { clearInterval(timer); resolve({ completed: true, answer }); return; }
      socket.write(text[i++]!);
    }, 20);
  });
}

const pad = (n: number): string => `X-Pad: ${'a'.repeat(n)}\r\n`;

describe('request deadlines', () => {
  const short = { headersTimeoutMs: 300, httpRequestTimeoutMs: 600 };

  it('a WebSocket upgrade whose headers come a byte at a time is dropped at the headers deadline', async () => {
    agent = await startTestAgent(allowAll(), { limits: short });
    const port = agent.server.port;
    const r = await dribble(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${PORTAL}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${pad(1000)}\r\n`);
    expect(r.completed).toBe(false);
    expect(agent.server.connectionCount()).toBe(0);
  });

  it('an HTTP request whose headers come a byte at a time is dropped too', async () => {
    agent = await startTestAgent(allowAll(), { limits: short });
    const port = agent.server.port;
    const r = await dribble(port, `GET /.well-known/kyso HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${pad(1000)}\r\n`);
    expect(r.completed).toBe(false);
  });

  it('a connection that sends nothing, or stops after a request, is dropped', async () => {
    agent = await startTestAgent(allowAll(), { limits: short });
    const port = agent.server.port;
    const silent = net.connect(port, '127.0.0.1');
    sockets.push(silent);
    silent.on('error', () => { /* reset */ });
    let closedBy: 'server' | 'guard' | undefined;
    const guard = setTimeout(() => { closedBy ??= 'guard'; silent.destroy(); }, 20_000);
    await new Promise<void>((resolve) => silent.once('close', () => { closedBy ??= 'server'; resolve(); }));
    clearTimeout(guard);
    expect(closedBy).toBe('server');

    // A complete request, answered, then a kept-alive connection whose next request never completes.
    const r = await dribble(port, `GET /.well-known/kyso HTTP/1.1\r\n${pad(1000)}`, `GET /.well-known/kyso HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
    expect(r.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(r.completed).toBe(false);
  });

  it('over TLS: a stalled handshake, and headers dribbled inside TLS, are dropped', async () => {
    const loopback = generateLoopbackCertificates();
    agent = await startTestAgent(allowAll(), { limits: short, tls: { key: loopback.serverKey, cert: loopback.serverCert } });
    const port = agent.server.port;
    // A handshake record announced 16 KB long and sent a byte at a time: the TLS layer waits for all of it.
    expect((await dribble(port, 'x'.repeat(1000), '\x16\x03\x01\x3f\xff')).completed).toBe(false);
    const r = await dribble(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${PORTAL}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${pad(1000)}\r\n`, '', loopback.caCert);
    expect(r.completed).toBe(false);
  });

  it('the VNPT-CA Plugin endpoint has the same deadlines', async () => {
    agent = await startTestAgent(allowAll(), { limits: short, vnpt: { ports: [0] } });
    const port = agent.server.vnptPort!;
    const r = await dribble(port, `GET /plugin HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${PORTAL}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${pad(1000)}\r\n`);
    expect(r.completed).toBe(false);
  });
});

describe('idle connections', () => {
  /** Resolves with the close code, or 'open' if the guard ran out first. */
  function closeCode(ws: WebSocket, guardMs = 20_000): Promise<number | 'open'> {
    return new Promise((resolve) => {
      const guard = setTimeout(() => resolve('open'), guardMs);
      ws.once('close', (code) => { clearTimeout(guard); resolve(code); });
    });
  }

  it('the VNPT-CA Plugin endpoint closes a silent WebSocket', async () => {
    agent = await startTestAgent(allowAll(), { limits: { idleTimeoutMs: 300 }, vnpt: { ports: [0] } });
    const ws = new WebSocket(`ws://127.0.0.1:${agent.server.vnptPort}/plugin`, { origin: PORTAL });
    sockets.push(ws);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    expect(await closeCode(ws)).toBe(1000);
    expect(agent.logText()).toMatch(/"endpoint":"vnpt".*"idle-timeout"|"idle-timeout".*"endpoint":"vnpt"/);
  });

  it('pings keep a native connection open; silence then closes it', async () => {
    agent = await startTestAgent(allowAll(), { limits: { idleTimeoutMs: 1000 } });
    const c = await connect(PORTAL);
    let pongs = 0;
    c.ws.on('pong', () => { pongs++; });
    // Pings for three idle periods: the agent answers each, and does not close.
    for (let i = 0; i < 30; i++) {
      c.ws.ping();
      await new Promise((r) => setTimeout(r, 100));
    }
    await until(() => pongs >= 30, 5000, 'pongs');
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(await c.closed).toBe(1000);
  });
});
