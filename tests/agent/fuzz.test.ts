/**
 * Fuzz: thousands of malformed, truncated, mutated, wrongly typed, oversized and random frames against the
 * real agent. Every frame is answered with an error (or, for oversized frames and invalid UTF-8, the socket
 * is closed); the process never crashes; afterwards the agent still answers and signs a PDF that pdfsig accepts.
 * Deterministic: a seeded generator (KYSO_FUZZ_SEED to vary it), bounded in count and time, loopback only.
 * Fuzzing of document content (mutated PDFs and DOCX) is tests/fuzz/documents.test.ts and `npm run fuzz`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { fixtures } from '../helpers/fixtures.js';
import { certificateId } from '../helpers/token.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { RpcClient, b64, samplePdf, startTestAgent, type RpcResponse, type TestAgent } from './harness.js';
import { mulberry32 } from '../../scripts/fuzz.mjs';

const SEED = Number(process.env.KYSO_FUZZ_SEED ?? 20261123);
const ROUNDS = 3000;

const rand = mulberry32(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

function randomString(max = 40): string {
  const alphabet = ['a', 'Z', '0', '/', '\\', '"', '\'', '{', '}', '[', ']', ':', ',', ' ', '\n', '\u0000', 'đ', 'Ệ', '\ud83d\ude00', '\u202e', '%', '=', '+', '.', '..'];
  let s = '';
  for (let i = int(max); i > 0; i--) s += pick(alphabet);
  return s;
}

function randomValue(depth = 0): unknown {
  switch (int(depth > 3 ? 7 : 9)) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER]);
    case 3: return randomString();
    case 4: return pick(['SHA-256', 'cms', 'raw', 'ask', 'pdf', '../../etc/passwd', 'A'.repeat(300), '', 'AAAA', '====']);
    case 5: return 'f'.repeat(64);
    case 6: return [];
    case 7: return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    default: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['document', 'fileName', 'pin', 'module', 'path', 'placement', 'appearance', 'page', 'rect', randomString(8)]), randomValue(depth + 1)]));
  }
}

const METHODS = ['agent.info', 'certificates.list', 'pdf.sign', 'hash.sign', 'pdf.verify', 'request.cancel', 'rpc.discover', '', 'pdf.sign ', 'PDF.SIGN', '__proto__', 'constructor', 'toString'];

describe('fuzz', () => {
  let agent: TestAgent;
  let prompter: ScriptedPrompter;
  let valid: Array<Record<string, unknown>>;

  beforeAll(async () => {
    // confirm: false — a well-formed sign request that gets through validation stops at the confirmation.
    prompter = new ScriptedPrompter({ consent: true, confirm: false, pin: fixtures().softhsm.pin });
    agent = await startTestAgent(prompter, {
      limits: { maxFrameBytes: 256 * 1024, maxDocumentBytes: 64 * 1024, maxInFlightPerConnection: 64 },
    });
    const pdf = b64(await samplePdf());
    valid = [
      { method: 'agent.info' },
      { method: 'certificates.list', params: {} },
      { method: 'pdf.sign', params: { document: pdf, fileName: 'a.pdf', certificateId: certificateId('rsa'), reason: 'x' } },
      { method: 'pdf.sign', params: { document: pdf, fileName: 'a.pdf', placement: { page: 1, rect: [0, 0, 100, 50] }, appearance: { show: { signer: true } } } },
      { method: 'hash.sign', params: { digest: b64(new Uint8Array(32)), algorithm: 'SHA-256', format: 'cms' } },
      { method: 'pdf.verify', params: { document: pdf } },
    ];
  });
  afterAll(async () => { await agent.close(); });

  it(`survives ${ROUNDS} hostile frames (seed ${SEED}) and still signs correctly`, async () => {
    let client = await RpcClient.connect(agent.url);
    const expectedIds = new Map<string, RpcClient>();
    let closes = 0;
    let nullErrors = 0;
    const reconnectIfClosed = async (): Promise<void> => {
      if (client.ws.readyState === client.ws.OPEN) return;
      await client.closed;
      expect([1009, 1007, 1002]).toContain(client.closeCode);
      closes++;
      client = await RpcClient.connect(agent.url);
    };
    const sentinel = async (i: number): Promise<RpcResponse> => {
      const r = await Promise.race([
        client.call('agent.info', undefined, `s${i}`),
        client.closed.then(() => undefined),
      ]);
      return r as RpcResponse;
    };

    for (let i = 0; i < ROUNDS; i++) {
      const kind = int(10);
      const beforeNull = client.unmatched.length;
      let expectNullError = false;
      if (kind === 0) {
        // Random bytes in a binary frame.
        client.ws.send(Buffer.from(Array.from({ length: int(200) }, () => int(256))), { binary: true });
        expectNullError = true;
      } else if (kind === 1) {
        // Random text: mostly not JSON, or JSON that is no request object.
        client.ws.send(pick([randomString(200), JSON.stringify(randomValue()), '', 'null', '[]', '{}', '"x"', '1e999', '{"__proto__":{"polluted":1}}']));
        expectNullError = true;
      } else if (kind === 2) {
        // A valid request truncated somewhere.
        const text = JSON.stringify({ jsonrpc: '2.0', id: `t${i}`, ...pick(valid) });
        client.ws.send(text.slice(0, int(text.length - 1)));
        expectNullError = true;
      } else if (kind === 3 && i % 50 === 3) {
        // Oversized frame: the connection closes with 1009.
        client.ws.send(JSON.stringify({ jsonrpc: '2.0', id: `o${i}`, method: 'pdf.verify', params: { document: 'A'.repeat(300 * 1024) } }));
        await client.closed;
        await reconnectIfClosed();
        continue;
      } else if (kind === 3 && i % 97 === 3) {
        // Invalid UTF-8 in a text frame: the connection closes with 1007.
        client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
        await client.closed;
        await reconnectIfClosed();
        continue;
      } else {
        // A valid request with something mutated; the id stays, so the answer must carry it.
        const base = structuredClone(pick(valid)) as Record<string, unknown> & { params?: Record<string, unknown> };
        const id = `m${i}`;
        const msg: Record<string, unknown> = { jsonrpc: '2.0', id, ...base };
        switch (int(7)) {
          case 0: msg.method = pick(METHODS); break;
          case 1: msg.params = randomValue(); break;
          case 2: if (base.params) { const k = pick(Object.keys(base.params)); base.params[k] = randomValue(); msg.params = base.params; } break;
          case 3: msg.params = { ...(base.params ?? {}), [pick(['pin', 'module', 'modulePath', 'path', 'tsa', randomString(6)])]: randomValue() }; break;
          case 4: msg.jsonrpc = pick(['1.0', 2, null, '2.0 ']); break;
          case 5: msg[pick(['extra', 'result', 'error'])] = randomValue(); break;
          default: if (base.params && 'document' in base.params) { msg.params = { ...base.params, document: pick(['!!!!', 'A'.repeat(90 * 1024), 'JVBERi0=', randomString(50)]) }; } break;
        }
        client.ws.send(JSON.stringify(msg));
        expectedIds.set(id, client);
      }
      const s = await sentinel(i);
      if (!s) { await reconnectIfClosed(); continue; }
      expect(s.result?.name, `sentinel after frame ${i}`).toBe('kyso');
      if (expectNullError) {
        const got = client.unmatched.slice(beforeNull).filter((r) => r.id === null && r.error);
        expect(got.length, `frame ${i} (kind ${kind}) answered with an error`).toBeGreaterThanOrEqual(1);
        nullErrors++;
      }
    }

    // Every mutated request on a connection still open got an answer with its id (error or result).
    const open = [...expectedIds].filter(([, c]) => c.ws.readyState === c.ws.OPEN);
    const deadline = Date.now() + 30_000;
    const answered = (id: string, c: RpcClient): boolean => c.unmatched.some((r) => r.id === id);
    while (open.some(([id, c]) => !answered(id, c)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const missing = open.filter(([id, c]) => !answered(id, c)).map(([id]) => id);
    expect(missing).toEqual([]);
    for (const [id, c] of open) {
      const r = c.unmatched.find((x) => x.id === id)!;
      expect(r.error || r.result, id).toBeTruthy();
      if (r.error) expect(typeof r.error.data.code).toBe('string');
    }
    expect(nullErrors).toBeGreaterThan(ROUNDS / 5);
    expect(closes).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // The same agent still signs correctly.
    prompter.answers.confirm = true;
    const c = await RpcClient.connect(agent.url);
    const r = await c.call('pdf.sign', { document: b64(await samplePdf()), fileName: 'after-fuzz.pdf', certificateId: certificateId('rsa') });
    expect(r.error).toBeUndefined();
    withTempFile(Buffer.from(r.result.document, 'base64'), 'after.pdf', (file) => {
      expect(pdfsig(file).signatures[0]?.valid).toBe(true);
    });
    await c.close();
    await client.close().catch(() => undefined);
  });
});
