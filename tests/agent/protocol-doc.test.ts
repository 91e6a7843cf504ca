/** docs/protocol.md is generated from the schemas: the committed file must be what they render now. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderProtocolDoc } from '../../src/agent/protocol-doc.js';
import { METHODS, NOTIFICATIONS } from '../../src/agent/protocol.js';

describe('docs/protocol.md', () => {
  it('is up to date with src/agent/protocol.ts (run `npm run docs:protocol`)', () => {
    const committed = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    expect(committed === renderProtocolDoc(), 'docs/protocol.md is stale: run npm run docs:protocol').toBe(true);
  });

  it('documents every method and notification with the names issue 3 fixes', () => {
    expect(Object.keys(METHODS)).toEqual(['agent.info', 'certificates.list', 'pdf.sign', 'hash.sign', 'pdf.verify', 'docx.sign', 'batch.sign', 'docx.verify']);
    expect(Object.keys(NOTIFICATIONS)).toEqual(['progress', 'tokens.changed']);
    const doc = renderProtocolDoc();
    for (const name of [...Object.keys(METHODS), ...Object.keys(NOTIFICATIONS), 'request.cancel']) expect(doc).toContain(`### ${name}`);
  });
});
