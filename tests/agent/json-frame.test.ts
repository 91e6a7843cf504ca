import { describe, expect, it } from 'vitest';
import { jsonFrame } from '../../src/agent/json-frame.js';

/** What a client receives: the frame's bytes read as UTF-8 text. */
const received = (frame: string | Buffer): string => (typeof frame === 'string' ? frame : frame.toString('utf8'));

describe('jsonFrame', () => {
  it('is JSON.stringify byte for byte, long strings or not', () => {
    const base64 = Buffer.alloc(60_000, 7).toString('base64');
    const tricky = `${'"\\\n\u0000'.repeat(5000)}NGUYỄN THỊ ÁNH TUYẾT 𝒜`;
    const messages: unknown[] = [
      { jsonrpc: '2.0', id: 1, result: { ok: true } },
      { jsonrpc: '2.0', id: 2, result: { document: base64, signature: { signer: 'NGUYỄN THỊ ÁNH TUYẾT', byteRange: [0, 1, 2, 3] } } },
      { jsonrpc: '2.0', id: 'x', result: { documents: [base64, 'short', tricky, { nested: [tricky, base64] }], undef: undefined, when: new Date(0) } },
      { jsonrpc: '2.0', method: 'progress', params: { id: 3, stage: 'sign' } },
    ];
    for (const m of messages) expect(received(jsonFrame(m))).toBe(JSON.stringify(m));
  });

  it('sends a long answer as bytes whose one-byte text was never turned two-byte', () => {
    const m = { id: 1, result: { document: 'A'.repeat(70_000), signer: 'Ễ' } };
    const frame = jsonFrame(m);
    expect(Buffer.isBuffer(frame)).toBe(true);
    expect(received(frame)).toBe(JSON.stringify(m));
  });

  it('a page string that looks like the stand-in is sent as it is', () => {
    const m = { id: 1, result: { a: 'kyso-long-string-', b: 'B'.repeat(20_000), c: '"kyso-long-string-00000000-0000-0000-0000-000000000000"' } };
    expect(received(jsonFrame(m))).toBe(JSON.stringify(m));
  });
});
