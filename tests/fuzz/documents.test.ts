/**
 * Document fuzzing as a test (issue 21): every file that ever made a parser hang, crash or take too much memory
 * (tests/fixtures/fuzz-regressions/) is replayed, then a few hundred seeded mutants of the corpus go through
 * verification and sign preparation (isolated) and the agent, by scripts/fuzz.mjs (`npm run fuzz` runs more).
 * Frame-level fuzzing of the agent's protocol is tests/agent/fuzz.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyDocument } from '../../src/core/verify-document.js';
import { assertSignable } from '../../src/core/sign-document.js';
import { isKysoError } from '../../src/core/errors.js';
import { runFuzz } from '../../scripts/fuzz.mjs';

const REGRESSIONS = fileURLToPath(new URL('../fixtures/fuzz-regressions/', import.meta.url));
/** The document deadline here: a regression must be answered well within it (a product parameter). */
const DEADLINE_MS = 10_000;
/** Small and fixed: the same cases every run. */
const SEEDS = [20261202, 21];
const CASES_PER_SEED = 250;

const ACCEPTED = new Set(['DOCUMENT_CORRUPT', 'DOCUMENT_ENCRYPTED', 'DOCUMENT_SIGNING_FORBIDDEN', 'UNSUPPORTED_FORMAT', 'DOCUMENT_TOO_COMPLEX', 'TOO_LARGE']);

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (!isKysoError(e)) return `untyped: ${String(e)}`;
    if (e.code === 'DOCUMENT_TOO_COMPLEX' && /MB of memory/.test(e.detail ?? '')) return 'memory cap';
    return ACCEPTED.has(e.code) ? e.code : `${e.code}: ${e.detail ?? ''}`;
  }
}

describe('document fuzzing', () => {
  it('replays every regression file: each answered (a result or a refusal), none hangs, crashes or hits the memory cap', async () => {
    const files = readdirSync(REGRESSIONS).filter((f) => /\.(pdf|docx)$/i.test(f)).sort();
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(path.join(REGRESSIONS, f)));
      const verified = await outcome(verifyDocument(bytes, {}, { deadlineMs: DEADLINE_MS }));
      expect(['OK', ...ACCEPTED], `${f}: verify`).toContain(verified);
      const signable = await outcome(assertSignable(bytes, f, { deadlineMs: DEADLINE_MS }));
      expect(['OK', ...ACCEPTED], `${f}: assertSignable`).toContain(signable);
    }
  });

  it.each(SEEDS)(`${CASES_PER_SEED} mutants of the corpus (seed %i): no hang, crash, memory over the cap, false VALID or broken signature`, async (seed) => {
    const stats = await runFuzz({ cases: CASES_PER_SEED, seed, deadlineMs: DEADLINE_MS, agentEvery: 20, signEvery: 10, log: () => undefined });
    expect(stats.findings, JSON.stringify(stats.findings, null, 1)).toEqual([]);
    expect(stats.cases).toBe(CASES_PER_SEED);
    expect(stats.agentCalls).toBeGreaterThan(0);
    // Most mutants are refused, some still open: both paths ran.
    expect(stats.ok).toBeGreaterThan(0);
    expect(stats.refused).toBeGreaterThan(0);
  });
});
