/**
 * Issue 20, "hash once": a caller that hashed the original already (the agent, on a document's arrival) hands
 * signPdf a continuation for that hash. A signature with the same hash goes on from it; one with another hash
 * never asks (no round trip from a worker for an answer that cannot help). pdfsig checks every result.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPdf, type DigestAfterOriginal } from '../../src/core/pdf/sign.js';
import { fixtureSoftwareKey } from '../helpers/software-key.js';
import { samplePdf } from '../agent/harness.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { fixtures } from '../helpers/fixtures.js';

function continuation(original: Uint8Array): DigestAfterOriginal & { calls: number } {
  const c = {
    hash: 'SHA-256' as const,
    calls: 0,
    async digest(rest: Uint8Array[]): Promise<Uint8Array> {
      c.calls++;
      const h = createHash('sha256').update(original);
      for (const part of rest) h.update(part);
      return new Uint8Array(h.digest());
    },
  };
  return c;
}

describe('digestAfterOriginal', () => {
  it('a SHA-256 signature goes on from the caller\'s hash; a SHA-384 one (P-384) hashes the file itself and never asks', async () => {
    const original = await samplePdf();
    for (const [signer, calls] of [['rsa', 1], ['ec384', 0]] as const) {
      const after = continuation(original);
      const signed = await signPdf(original, fixtureSoftwareKey(signer), { digestAfterOriginal: after });
      expect(after.calls).toBe(calls);
      expect(signed.hash).toBe(signer === 'rsa' ? 'SHA-256' : 'SHA-384');
      withTempFile(signed.bytes, `${signer}.pdf`, (file) => {
        const v = pdfsig(file);
        expect(v.signatures[0], v.output).toMatchObject({ valid: true, totalDocumentSigned: true, signerCommonName: fixtures().pki.signers[signer].cn });
      });
    }
  });
});
