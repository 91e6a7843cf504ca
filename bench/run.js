#!/usr/bin/env node
/**
 * `npm run bench`: signing speed and memory on the corpus's largest PDF, as ratios against references
 * measured in the same run on the same machine (never absolute thresholds):
 *   floor      openssl dgst -sha256 of the file (read + hash, the least any signer must do)
 *   reference  pdfsig -add-signature (poppler + NSS, software key)
 *   kyso-lib   signPdf() in this process with the SoftHSM token
 *   kyso-cli   `kyso sign` as a user runs it (process start, module load, login, sign, write)
 * Fixtures come from the test setup (tests/.cache); they are built first when missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MANIFEST = path.join(ROOT, 'tests/.cache/fixtures.json');
const RUNS = Number(process.env.KYSO_BENCH_RUNS ?? 7);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function timeAsync(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Peak RSS (KB) of a child via GNU time when available. */
function peakRss(cmd, args, opts = {}) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', 'KYSO_BENCH_MAXRSS_KB=%M', cmd, ...args], { encoding: 'utf8', ...opts });
  const m = /KYSO_BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  return m ? Number(m[1]) : undefined;
}

if (!existsSync(MANIFEST)) {
  process.stderr.write('building fixtures (PKI, SoftHSM, corpus) through the test setup…\n');
  sh('npx', ['vitest', 'run', 'tests/fixtures.test.ts'], { cwd: ROOT, stdio: 'inherit' });
}
if (!existsSync(path.join(ROOT, 'dist/core/pdf/sign.js'))) sh('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT });

const fx = JSON.parse(readFileSync(MANIFEST, 'utf8'));
process.env.SOFTHSM2_CONF = fx.softhsm.conf;
const candidates = fx.corpus.entries.filter((e) => e.expect === 'sign');
if (candidates.length === 0) throw new Error('the corpus is empty: run `npm test` once to build it');
const largest = candidates.map((e) => e.file).sort((a, b) => statSync(b).size - statSync(a).size)[0];
const size = statSync(largest).size;
const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-'));

// NSS database with the pre-signer's software key for the pdfsig reference.
const nss = path.join(work, 'nssdb');
cpSync(fx.pki.nssdb.replace(/^sql:/, ''), nss, { recursive: true });
sh('pk12util', ['-i', fx.pki.presignerP12, '-W', 'kyso', '-d', `sql:${nss}`]);
const nick = sh('certutil', ['-L', '-d', `sql:${nss}`]).stdout.split('\n').find((l) => /u,u,u/.test(l))?.replace(/\s+u,u,u\s*$/, '').trim();
if (!nick) throw new Error('pre-signer key not found in NSS db');

const { TokenService } = await import(path.join(ROOT, 'dist/core/token/token-service.js'));
const { signPdf } = await import(path.join(ROOT, 'dist/core/pdf/sign.js'));
const service = new TokenService([{ path: fx.softhsm.module, vendor: 'softhsm', displayName: 'SoftHSM' }]);
const rsaPem = readFileSync(fx.pki.signers.rsa.cert, 'utf8');
const { X509Certificate } = await import('node:crypto');
const certId = new X509Certificate(rsaPem).fingerprint256.replace(/:/g, '').toLowerCase();
const key = await service.signingKey(certId, async () => fx.softhsm.pin);
const input = readFileSync(largest);

const results = { floor: [], reference: [], lib: [], cli: [] };
let libPeak = 0;
for (let i = 0; i < RUNS; i++) {
  results.floor.push(time(() => sh('openssl', ['dgst', '-sha256', largest])));
  const out = path.join(work, `ref-${i}.pdf`);
  results.reference.push(time(() => sh('pdfsig', ['-add-signature', '-nssdir', `sql:${nss}`, '-nick', nick, '-digest', 'SHA256', largest, out])));
  rmSync(out, { force: true });
  results.lib.push(await timeAsync(async () => { await signPdf(input, key, { reason: 'bench' }); }));
  libPeak = Math.max(libPeak, process.memoryUsage().rss);
  const cliOut = path.join(work, `cli-${i}.pdf`);
  results.cli.push(time(() => sh(process.execPath, [path.join(ROOT, 'bin/kyso.js'), 'sign', largest, '-o', cliOut, '--module', fx.softhsm.module, '--cert', certId, '--pin-stdin'], { input: `${fx.softhsm.pin}\n` })));
  rmSync(cliOut, { force: true });
}
service.close();

const cliPeak = (() => {
  const r = spawnSync(process.execPath, ['--require', path.join(ROOT, 'bench/report-rss.cjs'), path.join(ROOT, 'bin/kyso.js'), 'sign', largest, '-o', path.join(work, 'rss.pdf'), '--module', fx.softhsm.module, '--cert', certId, '--pin-stdin'], { input: `${fx.softhsm.pin}\n`, encoding: 'utf8' });
  return Number(/KYSO_BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
})();
const refPeak = peakRss('pdfsig', ['-add-signature', '-nssdir', `sql:${nss}`, '-nick', nick, '-digest', 'SHA256', largest, path.join(work, 'ref-rss.pdf')]);
rmSync(work, { recursive: true, force: true });

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const fmt = (ms) => `${ms.toFixed(1).padStart(8)} ms`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
console.log(`file: ${path.relative(ROOT, largest)} (${(size / 1048576).toFixed(2)} MiB), median of ${RUNS} runs, ${os.cpus().length} CPUs`);
console.log(`openssl dgst -sha256 (floor)      ${fmt(m.floor)}`);
console.log(`pdfsig -add-signature (reference) ${fmt(m.reference)}   ${ratio(m.reference, m.floor)} floor`);
console.log(`kyso library signPdf              ${fmt(m.lib)}   ${ratio(m.lib, m.reference)} pdfsig   ${ratio(m.lib, m.floor)} floor`);
console.log(`kyso CLI sign (whole process)     ${fmt(m.cli)}   ${ratio(m.cli, m.reference)} pdfsig   ${ratio(m.cli, m.floor)} floor`);
console.log('peak memory (RSS):');
console.log(`  kyso CLI     ${(cliPeak / 1024).toFixed(1)} MiB = ${(cliPeak * 1024 / size).toFixed(1)}× file size${refPeak ? `, ${ratio(cliPeak, refPeak)} pdfsig (${(refPeak / 1024).toFixed(1)} MiB)` : ''}`);
console.log(`  kyso library (this process, incl. runtime) ${(libPeak / 1048576).toFixed(1)} MiB`);
