#!/usr/bin/env node
/**
 * Document fuzzing (issue 21): real corpus PDFs and DOCX (tests/.cache/corpus), some signed here first, mutated
 * with truncations, byte flips, stray delimiters, dictionary, stream and cross-reference edits, and zip-entry edits
 * (sizes, CRCs, names, XML nesting, bombs); each mutant goes to verification and sign preparation through the
 * isolation guard (and every `--agent-every`th through a live agent's pdf.verify/docx.verify). Seeded and bounded:
 * the same `--seed` gives the same cases.
 *
 * A finding is a hang (TIMEOUT: a parser ran past the deadline), a crash (INTERNAL, an untyped error, a dead
 * worker), memory over the cap (the worker's heap or the process RSS cap), a false VALID (a signature reported
 * intact whose signed bytes changed), or a signature we just made that does not verify. Findings are written to
 * `--out` (default tests/.cache/fuzz-findings) as files to keep under tests/fixtures/fuzz-regressions/.
 *
 *   npm run fuzz -- --cases 500 --seed 7 [--deadline 5000] [--agent-every 10] [--out DIR]
 *
 * Runs against dist/ (build first: npx tsc -p tsconfig.json). Exit status 1 when anything was found.
 */
import { createHash, createPrivateKey, privateEncrypt, sign as cryptoSign, X509Certificate, constants } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);

// ---- seeded randomness ----

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTools(rand) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (xs) => xs[int(xs.length)];
  return { rand, int, pick };
}

// ---- mutations ----

const TOKENS = ['{', '}', ')', '(', '<', '>', '<<', '>>', '[', ']', '[[[[[[[[', '/', '%', ' obj ', ' endobj ', 'stream\n', '\nendstream',
  ' R ', ' 0 ', '-1', '99999999999', '1e308', '3.4.5', '(unterminated', '<4142', '/Type', '/Pages', 'null', '\u0000', '\r', '#', '\\'];

const latin1 = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const fromLatin1 = (s) => new Uint8Array(Buffer.from(s, 'latin1'));

/** Positions of a regex's matches in the file's text (capped). */
function matches(text, re, cap = 2000) {
  const out = [];
  for (const m of text.matchAll(re)) { out.push(m); if (out.length >= cap) break; }
  return out;
}

function splice(bytes, at, remove, insert) {
  const ins = typeof insert === 'string' ? Buffer.from(insert, 'latin1') : Buffer.from(insert);
  return new Uint8Array(Buffer.concat([bytes.subarray(0, at), ins, bytes.subarray(Math.min(bytes.length, at + remove))]));
}

const PDF_MUTATIONS = {
  truncate: (b, r) => b.subarray(0, r.int(b.length)),
  truncateTail: (b, r) => b.subarray(0, Math.max(0, b.length - 1 - r.int(Math.min(b.length, 2048)))),
  flipBytes: (b, r) => {
    const out = new Uint8Array(b);
    for (let k = 1 + r.int(8); k > 0; k--) out[r.int(out.length)] = r.int(256);
    return out;
  },
  insertToken: (b, r) => splice(b, r.int(b.length), 0, r.pick(TOKENS)),
  dictValue: (b, r) => {
    const ms = matches(latin1(b), /\/[A-Za-z]+\s+/g);
    if (!ms.length) return PDF_MUTATIONS.insertToken(b, r);
    const m = r.pick(ms);
    const at = m.index + m[0].length;
    return splice(b, at, r.int(12), r.pick([...TOKENS, '999999 0 R', '<< /A << /B << /C [', '0 0 R', '/FlateDecode', '[/FlateDecode /FlateDecode]']));
  },
  streamLength: (b, r) => {
    const ms = matches(latin1(b), /\/Length\s+(\d+)/g);
    if (!ms.length) return PDF_MUTATIONS.flipBytes(b, r);
    const m = r.pick(ms);
    const n = r.pick([0, 1, Number(m[1]) + 1, Number(m[1]) - 1, 2 ** 31, 99999999, Number(m[1]) * 2]);
    return splice(b, m.index, m[0].length, `/Length ${n}`);
  },
  streamData: (b, r) => {
    const ms = matches(latin1(b), /stream\r?\n/g);
    if (!ms.length) return PDF_MUTATIONS.flipBytes(b, r);
    const m = r.pick(ms);
    const at = m.index + m[0].length;
    const out = new Uint8Array(b);
    for (let k = 1 + r.int(16); k > 0; k--) { const p = at + r.int(64); if (p < out.length) out[p] = r.int(256); }
    return out;
  },
  filter: (b, r) => {
    const ms = matches(latin1(b), /\/(FlateDecode|DCTDecode|ASCII85Decode|LZWDecode)/g);
    if (!ms.length) return PDF_MUTATIONS.dictValue(b, r);
    const m = r.pick(ms);
    return splice(b, m.index, m[0].length, r.pick(['/LZWDecode', '/ASCIIHexDecode', '/RunLengthDecode', '/JBIG2Decode', '[/FlateDecode /FlateDecode]', '/Crypt', '/Nope']));
  },
  xref: (b, r) => {
    const text = latin1(b);
    const sx = matches(text, /startxref\s+(\d+)/g);
    const entries = matches(text, /\d{10} \d{5} [nf]/g);
    if (entries.length && r.rand() < 0.5) {
      const m = r.pick(entries);
      return splice(b, m.index, 10, String(r.int(b.length * 2)).padStart(10, '0').slice(-10));
    }
    if (!sx.length) return PDF_MUTATIONS.truncateTail(b, r);
    const m = r.pick(sx);
    return splice(b, m.index, m[0].length, `startxref\n${r.pick([0, r.int(b.length), b.length + 100, Number(m[1]) + 1])}`);
  },
  duplicateChunk: (b, r) => {
    const from = r.int(b.length);
    const len = 1 + r.int(Math.min(4096, b.length - from));
    return splice(b, r.int(b.length), 0, b.subarray(from, from + len));
  },
  /** Signed files: a byte changed inside what a signature covers (must never still verify). */
  inSignedRange: (b, r) => {
    const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(latin1(b));
    if (!m) return PDF_MUTATIONS.flipBytes(b, r);
    const [a, l1, c, l2] = m.slice(1).map(Number);
    const out = new Uint8Array(b);
    const p = r.rand() < 0.5 ? a + r.int(l1) : c + r.int(l2);
    if (p < out.length) out[p] = (out[p] + 1 + r.int(255)) & 0xff;
    return out;
  },
  byteRange: (b, r) => {
    const ms = matches(latin1(b), /\/ByteRange\s*\[[^\]]*\]/g);
    if (!ms.length) return PDF_MUTATIONS.dictValue(b, r);
    const m = r.pick(ms);
    const nums = Array.from({ length: 4 }, () => r.pick([0, 1, r.int(b.length), b.length, 2 ** 31]));
    return splice(b, m.index, m[0].length, `/ByteRange [${nums.join(' ')}]`.padEnd(m[0].length, ' '));
  },
};

async function docxMutations() {
  const { readZip, readEntry, writeZip } = await dist('core/ooxml/zip.js');
  const xmlEdits = [
    (t, r) => t.replace(/<([A-Za-z:]+)/, (s) => `${'<a>'.repeat(300 + r.int(2000))}${s}`),
    (t) => t.replace('?>', '?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'),
    (t, r) => { const i = t.lastIndexOf('</'); return i > 0 && r.rand() < 0.5 ? t.slice(0, i) : t.replace(/<\/[^>]+>/, ''); },
    (t) => t.replace(/="[^"]*"/, `="${'x'.repeat(100000)}"`),
    (t) => t.replace(/>/, '>&#0;&#xFFFF;'),
    (t, r) => t.replace(/Target="[^"]*"/, r.pick(['Target="../../../etc/passwd"', 'Target="/[Content_Types].xml"', 'Target=""', 'Target="%zz"'])),
    (t, r) => t.replace(/Id="[^"]*"/, `Id="${r.pick(['rId1', '', 'x y'])}"`),
    (t) => `${t}<trailing/>`,
  ];
  const reZip = (zip, entries) => new Uint8Array(writeZip(zip, entries, zip.comment));
  const withEntry = (b, r, f) => {
    const zip = readZip(b);
    if (!zip.entries.length) return null;
    const target = r.pick(zip.entries);
    return reZip(zip, zip.entries.map((e) => (e === target ? f(zip, e) : { copy: e })));
  };
  const headerField = (b, r, field) => {
    const zip = readZip(b);
    const e = r.pick(zip.entries);
    const out = new Uint8Array(b);
    const v = new DataView(out.buffer);
    const value = r.pick([0, 1, 0xffffffff, e.size * 1000, 300 * 1024 * 1024]) >>> 0;
    if (field === 'size') v.setUint32(e.localOffset + 22, value, true);
    if (field === 'crc') v.setUint32(e.localOffset + 14, r.int(2 ** 32) >>> 0, true);
    // The central record too (it is what the reader trusts first).
    const cdAt = Buffer.from(out).indexOf(Buffer.from(e.centralRecord));
    if (cdAt >= 0) v.setUint32(cdAt + (field === 'size' ? 24 : 16), field === 'size' ? value : r.int(2 ** 32) >>> 0, true);
    return out;
  };
  return {
    truncate: PDF_MUTATIONS.truncate,
    flipBytes: PDF_MUTATIONS.flipBytes,
    declaredSize: (b, r) => headerField(b, r, 'size'),
    crc: (b, r) => headerField(b, r, 'crc'),
    xml: (b, r) => withEntry(b, r, (zip, e) => {
      if (!/\.(xml|rels)$/i.test(e.name)) return { copy: e };
      const text = Buffer.from(readEntry(zip, e)).toString('utf8');
      return { name: e.name, data: Buffer.from(r.pick(xmlEdits)(text, r), 'utf8') };
    }),
    rename: (b, r) => withEntry(b, r, (zip, e) => ({ name: r.pick([zip.entries[0].name.toUpperCase(), `${e.name}/`, '../evil.xml', '', e.name.replace(/\//g, '\\')]), data: readEntry(zip, e) })),
    compressed: (b, r) => {
      const zip = readZip(b);
      const e = r.pick(zip.entries);
      const out = new Uint8Array(b);
      const start = e.localOffset + 30 + new DataView(b.buffer, b.byteOffset).getUint16(e.localOffset + 26, true) + new DataView(b.buffer, b.byteOffset).getUint16(e.localOffset + 28, true);
      for (let k = 1 + r.int(6); k > 0; k--) { const p = start + r.int(Math.max(1, e.compressedSize)); if (p < out.length) out[p] = r.int(256); }
      return out;
    },
    bomb: (b, r) => withEntry(b, r, (zip, e) => ({ name: e.name, data: Buffer.concat([Buffer.from(readEntry(zip, e)).subarray(0, 200), Buffer.alloc((20 + r.int(60)) * 1024 * 1024, 0x20)]) })),
    /** Signed packages: a covered part's content changed (must never still verify). */
    signedPart: (b, r) => withEntry(b, r, (zip, e) => {
      if (!/document\.xml$|styles\.xml$|\.rels$/.test(e.name)) return { copy: e };
      const text = Buffer.from(readEntry(zip, e)).toString('utf8');
      return { name: e.name, data: Buffer.from(text.replace(/>([^<]{2,})</, (_, s) => `>${s}X<`).replace(/Target="/, r.rand() < 0.3 ? 'Target="x' : 'Target="'), 'utf8') };
    }),
  };
}

// ---- the software key (RSA fixture signer) ----

async function softwareKey() {
  const { digestInfo } = await dist('core/token/signature-encoding.js');
  const pki = path.join(ROOT, 'tests/.cache/pki');
  const key = createPrivateKey(readFileSync(path.join(pki, 'rsa.key.pem')));
  const der = (f) => new Uint8Array(new X509Certificate(readFileSync(path.join(pki, f))).raw);
  const nodeHash = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
  return {
    certificate: der('rsa.pem'), chain: [der('sub.pem')], keyType: 'RSA', keySize: 2048,
    signDigest: async (digest, hash) => new Uint8Array(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(digest, hash))),
    signData: async (data, hash) => new Uint8Array(cryptoSign(nodeHash[hash], data, key)),
  };
}

// ---- seeds ----

function corpusFiles() {
  const dir = path.join(ROOT, 'tests/.cache/corpus');
  if (!existsSync(dir)) throw new Error('no corpus in tests/.cache/corpus: run a vitest file once (globalSetup builds it)');
  const out = [];
  const walk = (d) => { for (const f of readdirSync(d, { withFileTypes: true })) { const p = path.join(d, f.name); if (f.isDirectory()) walk(p); else if (/\.(pdf|docx)$/i.test(f.name)) out.push(p); } };
  walk(dir);
  // Keep big files out of the rotation: mutating a 5 MB scan costs time and finds what small files find.
  return out.filter((p) => readFileSync(p).length < 2 * 1024 * 1024).sort();
}

// ---- oracles ----

/** The signed bytes of each signature of a PDF, by field name (from the original's verification). */
function signedSlices(bytes, report) {
  const map = new Map();
  for (const s of report?.pdf ?? []) {
    if (!s.intact || !s.byteRange) continue;
    const [a, b, c, d] = s.byteRange;
    map.set(s.fieldName, createHash('sha256').update(bytes.subarray(a, a + b)).update(bytes.subarray(c, c + d)).digest('hex'));
  }
  return map;
}

const ALLOWED = new Set(['DOCUMENT_CORRUPT', 'DOCUMENT_ENCRYPTED', 'DOCUMENT_SIGNING_FORBIDDEN', 'UNSUPPORTED_FORMAT', 'DOCUMENT_TOO_COMPLEX', 'TOO_LARGE', 'BAD_REQUEST', 'SIGNATURE_TOO_LARGE']);

/** What an outcome is: ok, an expected refusal, or a finding kind. */
function classify(err) {
  if (!err) return { kind: 'ok' };
  const code = err.data?.code ?? err.code;
  const detail = String(err.detail ?? err.data?.detail ?? err.message ?? '');
  if (code === 'TIMEOUT') return { kind: 'hang', code, detail };
  if (code === 'DOCUMENT_TOO_COMPLEX' && /MB of memory/.test(detail)) return { kind: 'memory', code, detail };
  if (ALLOWED.has(code)) return { kind: 'refused', code };
  return { kind: 'crash', code: code ?? 'untyped', detail };
}

// ---- the agent, for the WebSocket path ----

async function startAgent(deadlineMs) {
  const { startAgentServer } = await dist('agent/server.js');
  const { SettingsStore } = await dist('agent/settings-store.js');
  const { ScriptedPrompter } = await dist('agent/prompters/scripted.js');
  const { createAgentLogger } = await dist('agent/logger.js');
  const { Writable } = await import('node:stream');
  const os = await import('node:os');
  const { mkdtempSync } = await import('node:fs');
  const { default: WebSocket } = await import('ws');
  const tokens = { tokens: () => [], certificates: () => [], signingKey: async () => { throw new Error('no token in fuzzing'); }, logoutAll: () => undefined };
  const server = await startAgentServer({
    // The fuzzing page is a site the user allowed: verification needs consent like everything but agent.info.
    tokens, prompter: new ScriptedPrompter({ consent: true }), settings: new SettingsStore(path.join(mkdtempSync(path.join(os.tmpdir(), 'kyso-fuzz-')), 's.json')),
    ports: [0], hosts: ['127.0.0.1'], logger: createAgentLogger({ stream: new Writable({ write: (_c, _e, cb) => cb() }) }),
    limits: { documentDeadlineMs: deadlineMs },
  });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { origin: 'https://fuzz.example.vn', perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const waiting = new Map();
  let nextId = 1;
  ws.on('message', (d) => { const m = JSON.parse(d.toString()); waiting.get(m.id)?.(m); waiting.delete(m.id); });
  const call = (method, params) => new Promise((resolve) => { const id = nextId++; waiting.set(id, resolve); ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) })); });
  return { call, close: async () => { ws.close(); await server.close(); } };
}

// ---- the run ----

/**
 * Runs `cases` mutants from `seed`. Returns counts and findings (each with the file it wrote to `out`).
 * `log`: a line per finding and a progress line now and then.
 */
export async function runFuzz({ cases = 500, seed = 1, deadlineMs = 5000, agentEvery = 10, signEvery = 5, out = path.join(ROOT, 'tests/.cache/fuzz-findings'), log = console.log } = {}) {
  const { verifyDocument } = await dist('core/verify-document.js');
  const { assertSignable, signDocument } = await dist('core/sign-document.js');
  const docxOps = await docxMutations();
  const key = await softwareKey();
  const guard = { deadlineMs };

  // Seeds: the corpus, plus one PDF and one DOCX signed here (signatures whose bytes the oracle knows).
  const seeds = [];
  for (const file of corpusFiles()) seeds.push({ name: path.basename(file), bytes: new Uint8Array(readFileSync(file)) });
  for (const base of [seeds.find((s) => s.name.endsWith('.docx')), seeds.find((s) => /classic-xref\.pdf$/.test(s.name))].filter(Boolean)) {
    // Setting up is not under test: a loaded machine gets the slow-case allowance.
    const signed = await signDocument(base.bytes, key, { certificateCheck: 'off' }, base.name, { deadlineMs: deadlineMs * SLOW_FACTOR });
    seeds.push({ name: `signed-${base.name}`, bytes: signed.bytes });
  }
  for (const s of seeds) {
    s.docx = s.name.endsWith('.docx');
    try { s.report = await verifyDocument(s.bytes, {}, { deadlineMs: deadlineMs * SLOW_FACTOR }); } catch { s.report = undefined; }
    s.slices = signedSlices(s.bytes, s.report);
  }

  const agent = agentEvery > 0 ? await startAgent(deadlineMs) : undefined;
  const stats = { cases: 0, ok: 0, refused: 0, slow: 0, hangs: 0, crashes: 0, memory: 0, falseValid: 0, badSignature: 0, agentCalls: 0, findings: [] };
  const rand = mulberry32(seed);
  const r = randomTools(rand);
  let peakRss = 0;
  const started = Date.now();

  const record = (kind, c, bytes, what, detail) => {
    const key = { hang: 'hangs', crash: 'crashes', memory: 'memory', falseValid: 'falseValid', badSignature: 'badSignature' }[kind];
    stats[key]++;
    mkdirSync(out, { recursive: true });
    const file = path.join(out, `${kind}-s${seed}-c${c.index}-${c.mutation}-${c.seedName}`.replace(/[^\w.-]+/g, '_'));
    writeFileSync(file, bytes);
    const f = { kind, case: c.index, seed, mutation: c.mutation, seedFile: c.seedName, what, detail: String(detail ?? '').slice(0, 300), file };
    stats.findings.push(f);
    log(`FINDING ${kind} ${what} case ${c.index} (${c.mutation} on ${c.seedName}): ${f.detail} → ${file}`);
  };

  /**
   * A TIMEOUT on a loaded machine may be slowness, not a loop: the case is run again with a deadline SLOW_FACTOR
   * times longer; answered then, it counts as slow; a timeout again is a hang.
   */
  const retrySlow = async (again) => {
    const second = await timed(again());
    if (classify(second.err).kind === 'hang') return second;
    stats.slow++;
    return second;
  };

  const timed = async (p) => {
    const t = Date.now();
    try { const value = await p; return { value, ms: Date.now() - t }; } catch (err) { return { err, ms: Date.now() - t }; }
  };

  for (let i = 0; i < cases; i++) {
    const s = r.pick(seeds);
    const ops = s.docx ? docxOps : PDF_MUTATIONS;
    const names = Object.keys(ops).filter((n) => s.slices.size || s.docx || !['inSignedRange', 'byteRange'].includes(n));
    const mutation = r.pick(names);
    let bytes;
    try { bytes = ops[mutation](s.bytes, r) ?? PDF_MUTATIONS.flipBytes(s.bytes, r); } catch { bytes = PDF_MUTATIONS.flipBytes(s.bytes, r); }
    // A second mutation now and then: damage compounds in real files.
    if (r.rand() < 0.25) { const m2 = r.pick(Object.keys(ops)); try { bytes = ops[m2](bytes, r) ?? bytes; } catch { /* keep */ } }
    const c = { index: i, mutation, seedName: s.name };
    stats.cases++;

    // Verification.
    let v = await timed(verifyDocument(bytes, {}, guard));
    if (classify(v.err).kind === 'hang') v = await retrySlow(() => verifyDocument(bytes, {}, { deadlineMs: deadlineMs * SLOW_FACTOR }));
    const cv = classify(v.err);
    if (cv.kind === 'ok' || cv.kind === 'refused') stats[cv.kind]++;
    else record(cv.kind, c, bytes, 'verify', cv.detail ?? cv.code);
    if (v.value) {
      // False VALID: a signature still reported intact whose signed bytes are not those originally signed.
      for (const sig of v.value.pdf ?? []) {
        if (!sig.intact || !sig.byteRange) continue;
        const [a, b, cc, d] = sig.byteRange;
        const now = createHash('sha256').update(bytes.subarray(a, a + b)).update(bytes.subarray(cc, cc + d)).digest('hex');
        const was = s.slices.get(sig.fieldName);
        if (was !== undefined && was !== now && sig.kind === 'signature') record('falseValid', c, bytes, 'verify', `${sig.fieldName} intact over changed bytes`);
      }
      if (s.docx && v.value.allIntact && mutation === 'signedPart' && Buffer.compare(Buffer.from(bytes), Buffer.from(s.bytes)) !== 0) {
        // Only when the changed part is one the signature names.
        const changed = await changedSignedPart(s.bytes, bytes);
        if (changed) record('falseValid', c, bytes, 'verify', `package valid with ${changed} changed`);
      }
    }

    // Sign preparation, and now and then the whole signature (our software key signs on this thread).
    if (i % 2 === 0) {
      let a = await timed(assertSignable(bytes, s.name, guard));
      if (classify(a.err).kind === 'hang') a = await retrySlow(() => assertSignable(bytes, s.name, { deadlineMs: deadlineMs * SLOW_FACTOR }));
      const ca = classify(a.err);
      if (cca(ca)) record(ca.kind, c, bytes, 'assertSignable', ca.detail ?? ca.code);
      if (!a.err && i % signEvery === 0) {
        let sg = await timed(signDocument(bytes, key, { certificateCheck: 'off' }, s.name, guard));
        if (classify(sg.err).kind === 'hang') sg = await retrySlow(() => signDocument(bytes, key, { certificateCheck: 'off' }, s.name, { deadlineMs: deadlineMs * SLOW_FACTOR }));
        const cs = classify(sg.err);
        if (cca(cs)) record(cs.kind, c, bytes, 'sign', cs.detail ?? cs.code);
        if (sg.value) {
          // The signature just made must verify (whatever else the mutant holds).
          const after = await timed(verifyDocument(sg.value.bytes, {}, guard));
          const field = sg.value.pdfSignature?.fieldName;
          const part = sg.value.ooxmlSignature?.part;
          const ours = field !== undefined
            ? after.value?.pdf?.find((x) => x.fieldName === field)
            : after.value?.signatures.find((x) => part && x.summary.includes(part));
          if (!ours?.intact) record('badSignature', c, bytes, 'sign', after.err ? String(after.err.message) : JSON.stringify(ours?.problems ?? 'not found'));
        }
      }
    }

    // The agent: the same mutant over the WebSocket, and agent.info answered meanwhile.
    if (agent && i % agentEvery === 0) {
      stats.agentCalls++;
      const pending = agent.call(s.docx ? 'docx.verify' : 'pdf.verify', { document: Buffer.from(bytes).toString('base64') });
      const info = await agent.call('agent.info');
      if (info.result?.name !== 'kyso') record('crash', c, bytes, 'agent.info', JSON.stringify(info.error));
      const ans = await pending;
      let ca = classify(ans.error ? ans.error : undefined);
      if (ca.kind === 'hang') ca = classify((await retrySlow(() => verifyDocument(bytes, {}, { deadlineMs: deadlineMs * SLOW_FACTOR }))).err);
      if (cca(ca)) record(ca.kind, c, bytes, 'agent', ca.detail ?? ca.code);
    }

    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if ((i + 1) % 500 === 0) log(`${i + 1}/${cases} cases, ${Math.round((Date.now() - started) / 1000)} s, findings ${stats.findings.length}`);
  }
  await agent?.close();
  const { documentWorkers } = await dist('core/isolation/documents.js');
  stats.workersStarted = documentWorkers().started;
  stats.peakRssMb = Math.round(peakRss / 1024 / 1024);
  stats.seconds = Math.round((Date.now() - started) / 1000);
  return stats;
}

const SLOW_FACTOR = 6;
const cca = (c) => c.kind !== 'ok' && c.kind !== 'refused';

async function changedSignedPart(original, mutated) {
  const { readZip, readEntry } = await dist('core/ooxml/zip.js');
  try {
    const a = readZip(original);
    const b = readZip(mutated);
    const sigText = a.entries.filter((e) => /_xmlsignatures\/.*\.xml$/i.test(e.name)).map((e) => Buffer.from(readEntry(a, e)).toString('utf8')).join('');
    for (const e of a.entries) {
      if (/_xmlsignatures\//i.test(e.name)) continue;
      const other = b.entries.find((x) => x.name === e.name);
      if (!other) continue;
      const before = readEntry(a, e);
      let after;
      try { after = readEntry(b, other); } catch { continue; }
      if (Buffer.compare(Buffer.from(before), Buffer.from(after)) !== 0 && sigText.includes(`/${e.name}`)) return e.name;
    }
  } catch { /* unreadable: nothing to compare */ }
  return undefined;
}

// ---- command line ----

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const stats = await runFuzz({
    cases: Number(arg('cases', 500)),
    seed: Number(arg('seed', Date.now() % 1e9)),
    deadlineMs: Number(arg('deadline', 5000)),
    agentEvery: Number(arg('agent-every', 10)),
    signEvery: Number(arg('sign-every', 5)),
    ...(arg('out') ? { out: path.resolve(arg('out')) } : {}),
  });
  const { findings, ...counts } = stats;
  console.log(JSON.stringify({ seed: Number(arg('seed', NaN)), ...counts }));
  process.exit(findings.length ? 1 : 0);
}
