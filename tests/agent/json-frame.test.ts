import { describe, expect, it } from 'vitest';
import { jsonFrame } from '../../src/agent/json-frame.js';

/** What a client receives: the fragments' bytes, joined, read as UTF-8 text. */
const received = (pieces: Array<string | Buffer>): string => Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))).toString('utf8');

describe('jsonFrame', () => {
  it('is JSON.stringify byte for byte, long strings or not', () => {
    const base64 = Buffer.alloc(60_000, 7).toString('base64');
    const tricky = `${'"\\\n\u0000\u007f'.repeat(5000)}NGUYỄN THỊ ÁNH TUYẾT 𝒜`;
    const latin1 = `${'é'.repeat(20_000)}`;
    const messages: unknown[] = [
      { jsonrpc: '2.0', id: 1, result: { ok: true } },
      { jsonrpc: '2.0', id: 2, result: { document: base64, signature: { signer: 'NGUYỄN THỊ ÁNH TUYẾT', byteRange: [0, 1, 2, 3] } } },
      { jsonrpc: '2.0', id: 'x', result: { documents: [base64, 'short', tricky, latin1, { nested: [tricky, base64] }], undef: undefined, when: new Date(0) } },
      { jsonrpc: '2.0', method: 'progress', params: { id: 3, stage: 'sign' } },
      base64,
    ];
    for (const m of messages) expect(received(jsonFrame(m))).toBe(JSON.stringify(m));
  });

  it('a short message is one string; a long base64 string goes as its own bytes, never re-encoded', () => {
    expect(jsonFrame({ id: 1, result: { signer: 'Ễ' } })).toEqual([JSON.stringify({ id: 1, result: { signer: 'Ễ' } })]);
    const document = 'A'.repeat(70_000);
    const pieces = jsonFrame({ id: 1, result: { document, signer: 'Ễ' } });
    expect(pieces.some((p) => Buffer.isBuffer(p) && p.length === document.length)).toBe(true);
    expect(pieces.every((p) => p.length > 0)).toBe(true);
  });

  it('a page string that looks like the stand-in is sent as it is', () => {
    const m = { id: 1, result: { a: 'kyso-long-string-', b: 'B'.repeat(20_000), c: '"kyso-long-string-00000000-0000-0000-0000-000000000000"' } };
    expect(received(jsonFrame(m))).toBe(JSON.stringify(m));
  });
});
