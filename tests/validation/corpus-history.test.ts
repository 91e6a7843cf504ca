/**
 * No false alarms on real files: signing each real-producer PDF of the corpus (xref tables and streams, object
 * streams, linearized, already signed by other tools) must leave every earlier signature with only allowed
 * changes after it — the revision analysis must recognise what real signers write.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../../src/core/pdf/sign.js';
import { validatePdf } from '../../src/core/validation/validate-pdf.js';
import type { TokenService } from '../../src/core/token/token-service.js';
import { fixtures } from '../helpers/fixtures.js';
import { openTestTokens, testKey } from '../helpers/token.js';

const readable = fixtures().corpus.entries.filter((e) => e.expect === 'sign');
let tokens: TokenService;
beforeAll(() => { tokens = openTestTokens(); });
afterAll(() => tokens?.close());

describe('revision analysis on the corpus', () => {
  it.each(readable.map((e) => [path.basename(e.file), e.file] as const))('%s: signing twice is an allowed change for every earlier signature', async (_name, file) => {
    let bytes: Uint8Array = new Uint8Array(readFileSync(file));
    for (const signer of ['rsa', 'ec256'] as const) bytes = (await signPdf(bytes, await testKey(tokens, signer))).bytes;
    const v = await validatePdf(bytes, { offline: true });
    const ours = v.signatures.slice(-2);
    expect(ours.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    for (const s of v.signatures.slice(0, -1)) {
      const bad = s.history.updates.flatMap((u) => u.changes).filter((c) => !c.allowed);
      expect(bad, `${s.fieldName}: ${JSON.stringify(bad)}`).toEqual([]);
    }
  });
});
