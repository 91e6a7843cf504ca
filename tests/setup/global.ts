/**
 * vitest globalSetup: builds the test fixtures under tests/.cache/ and writes the manifest
 * (tests/.cache/fixtures.json, see tests/helpers/fixtures.ts).
 *
 * Stages:
 *   pki      tests/fixtures/pki/make-pki.sh            cached (stamp = sha256 of the script)
 *   softhsm  tests/fixtures/pki/provision-softhsm.sh   ALWAYS re-run: tests change PIN/token state
 *   corpus   tests/fixtures/corpus/make-corpus.sh      cached (stamp = sha256 of tests/fixtures/corpus/**
 *                                                      + the PKI build it signed with); optional
 * A stage's stamp is written only after it completed, so an interrupted build is redone.
 * Rebuilding the PKI gives it a new build id, which invalidates the corpus stamp.
 *
 * The SoftHSM tokens and tests/.cache are shared by every vitest run in this checkout, so a run
 * holds tests/.cache/.lock from setup to teardown; a concurrent run waits for it (up to 15 min).
 *
 * Env: KYSO_SKIP_CORPUS=1 skips the corpus stage (entries = []); SOFTHSM2_MODULE overrides
 * the module path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Not @peculiar/x509: it needs a Reflect metadata polyfill (tsyringe) the project does not install.
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { ARTIFACTS_DIR, CACHE_DIR, MANIFEST_PATH, TSA_KEYS_DIR, type CorpusEntry, type Fixtures, type SignerFixture } from '../helpers/fixtures.js';
import { LTV_SIGNERS } from '../helpers/ltv-signers.js';
import { startLibreOfficeChecker } from '../helpers/libreoffice-verify.js';
import { warmDocumentCaches } from './warm-caches.js';

const TESTS_DIR = fileURLToPath(new URL('../', import.meta.url));
const PKI_SCRIPT = path.join(TESTS_DIR, 'fixtures/pki/make-pki.sh');
const HSM_SCRIPT = path.join(TESTS_DIR, 'fixtures/pki/provision-softhsm.sh');
const CORPUS_SRC = path.join(TESTS_DIR, 'fixtures/corpus');
const CORPUS_SCRIPT = path.join(CORPUS_SRC, 'make-corpus.sh');
const TSA_PKI_SCRIPT = path.join(TESTS_DIR, 'fixtures/pki/make-tsa-pki.sh');
const TSA_HSM_SCRIPT = path.join(TESTS_DIR, 'fixtures/pki/provision-tsa-softhsm.sh');

const PKI_DIR = path.join(CACHE_DIR, 'pki');
const HSM_DIR = path.join(CACHE_DIR, 'softhsm');
const CORPUS_DIR = path.join(CACHE_DIR, 'corpus');
const STAMP_DIR = path.join(CACHE_DIR, 'stamps');
const LOCK_DIR = path.join(CACHE_DIR, '.lock');

const PKI_FILES = ['root.pem', 'sub.pem', 'presigner.p12', 'nssdb/cert9.db',
  ...['rsa', 'ec256', 'ec384'].flatMap((n) => [`${n}.pem`, `${n}.key.pem`])];

const REQUIRED_TOOLS: Array<[tool: string, aptPackage: string]> = [
  ['bash', 'bash'],
  ['openssl', 'openssl'],
  ['softhsm2-util', 'softhsm2'],
  ['pkcs11-tool', 'opensc'],
  ['certutil', 'libnss3-tools'],
];

const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
];

interface Stamp { hash: string; buildId: string; completedAt: string }

interface TokenJson {
  module: string;
  conf: string;
  tokenLabel: string;
  emptyTokenLabel: string;
  pin: string;
  soPin: string;
  objects: Record<'rsa' | 'ec256' | 'ec384', { id: string; keyType: 'RSA' | 'EC'; keyLabel: string; certLabel: string }>;
}

export default async function setup(): Promise<() => Promise<void>> {
  // The run's temp folders (os.tmpdir() in the tests, and in the agents, browsers and tools they start) all go
  // under one folder, removed at teardown: the suite makes a few hundred, and a run must not leave them behind.
  const runTmp = mkdtempSync(path.join(tmpdir(), 'kyso-tests-'));
  process.env.TMPDIR = runTmp;
  const removeRunTmp = (): void => rmSync(runTmp, { recursive: true, force: true });
  process.on('exit', removeRunTmp); // teardown skipped (crash, Ctrl-C): the folder goes all the same
  checkTools();
  const module = findModule();
  mkdirSync(CACHE_DIR, { recursive: true });
  // Tests write what a person may want to look at here; none may count on another test having made it.
  mkdirSync(ARTIFACTS_DIR, { recursive: true });

  const release = await acquireLock();
  const timings: string[] = [];
  try {
    // --- PKI ---------------------------------------------------------------------------
    let t = Date.now();
    const pkiHash = hashFiles([PKI_SCRIPT]);
    let pkiStamp = readStamp('pki');
    const pkiOk = pkiStamp?.hash === pkiHash && PKI_FILES.every((f) => existsSync(path.join(PKI_DIR, f)));
    if (!pkiOk) {
      rmSync(stampPath('pki'), { force: true });
      rmSync(stampPath('corpus'), { force: true }); // new keys: the corpus must be re-signed
      await run('make-pki.sh', 'bash', [PKI_SCRIPT, PKI_DIR]);
      pkiStamp = writeStamp('pki', pkiHash);
      timings.push(`pki ${Date.now() - t}ms`);
    } else {
      timings.push('pki cached');
    }

    // --- SoftHSM: fresh tokens every run (each test file then copies them: tests/setup/per-file.ts) ----
    t = Date.now();
    rmSync(path.join(CACHE_DIR, 'softhsm-per-file'), { recursive: true, force: true });
    rmSync(path.join(CACHE_DIR, 'tsa'), { recursive: true, force: true }); // loopback TSA PKIs of earlier runs
    await run('provision-softhsm.sh', 'bash', [HSM_SCRIPT, PKI_DIR, HSM_DIR], { SOFTHSM2_MODULE: module });
    timings.push(`softhsm ${Date.now() - t}ms`);
    const token = JSON.parse(readFileSync(path.join(HSM_DIR, 'token.json'), 'utf8')) as TokenJson;

    // --- Keys of the loopback TSA/LTV PKIs: made once, shared by every server's PKI (loopback-pki-services.ts) ----
    t = Date.now();
    const tsaKeysHash = hashFiles([TSA_PKI_SCRIPT, TSA_HSM_SCRIPT], LTV_SIGNERS.join(','));
    if (readStamp('tsa-keys')?.hash !== tsaKeysHash || !existsSync(path.join(TSA_KEYS_DIR, 'token', 'tokens'))) {
      rmSync(stampPath('tsa-keys'), { force: true });
      rmSync(TSA_KEYS_DIR, { recursive: true, force: true });
      // Any port will do: only the keys and a token holding them are kept.
      await run('make-tsa-pki.sh', 'bash', [TSA_PKI_SCRIPT, path.join(TSA_KEYS_DIR, 'pki'), 'http://127.0.0.1:9']);
      await run('provision-tsa-softhsm.sh', 'bash', [TSA_HSM_SCRIPT, path.join(TSA_KEYS_DIR, 'pki'), path.join(TSA_KEYS_DIR, 'token'), ...LTV_SIGNERS], { SOFTHSM2_MODULE: module, KEYS_ONLY: '1' });
      writeStamp('tsa-keys', tsaKeysHash);
      timings.push(`tsa keys ${Date.now() - t}ms`);
    } else {
      timings.push('tsa keys cached');
    }

    // --- Corpus (optional) ----------------------------------------------------------------
    t = Date.now();
    let entries: CorpusEntry[] = [];
    if (process.env.KYSO_SKIP_CORPUS === '1') {
      timings.push('corpus skipped (KYSO_SKIP_CORPUS=1)');
    } else if (existsSync(CORPUS_SCRIPT)) {
      const corpusHash = hashFiles([...listFiles(CORPUS_SRC)], `pki:${pkiStamp!.buildId}`);
      const manifestFile = path.join(CORPUS_DIR, 'manifest.json');
      if (readStamp('corpus')?.hash !== corpusHash || !existsSync(manifestFile)) {
        rmSync(stampPath('corpus'), { force: true });
        rmSync(CORPUS_DIR, { recursive: true, force: true });
        mkdirSync(CORPUS_DIR, { recursive: true });
        await run('make-corpus.sh', 'bash', [
          CORPUS_SCRIPT, CORPUS_DIR, path.join(PKI_DIR, 'presigner.p12'), 'kyso', `sql:${path.join(PKI_DIR, 'nssdb')}`,
        ]);
        entries = readCorpusManifest(manifestFile); // validate before stamping
        writeStamp('corpus', corpusHash);
        timings.push(`corpus ${Date.now() - t}ms`);
      } else {
        entries = readCorpusManifest(manifestFile);
        timings.push('corpus cached');
      }
    } else {
      timings.push('corpus absent');
    }

    // --- Manifest -------------------------------------------------------------------------
    const signer = (name: 'rsa' | 'ec256' | 'ec384'): SignerFixture => {
      const cert = path.join(PKI_DIR, `${name}.pem`);
      const cn = subjectCn(readFileSync(cert, 'utf8'));
      if (!cn) throw new Error(`fixtures: ${cert} has no CN`);
      if (cn !== cn.normalize('NFC')) throw new Error(`fixtures: CN of ${cert} is not NFC: ${JSON.stringify(cn)}`);
      const obj = token.objects[name];
      return { cert, key: path.join(PKI_DIR, `${name}.key.pem`), cn, keyType: obj.keyType, id: obj.id };
    };
    const manifest: Fixtures = {
      pki: {
        dir: PKI_DIR,
        rootCa: path.join(PKI_DIR, 'root.pem'),
        subCa: path.join(PKI_DIR, 'sub.pem'),
        signers: { rsa: signer('rsa'), ec256: signer('ec256'), ec384: signer('ec384') },
        presignerP12: path.join(PKI_DIR, 'presigner.p12'),
        nssdb: `sql:${path.join(PKI_DIR, 'nssdb')}`,
      },
      softhsm: {
        conf: token.conf,
        module: token.module,
        tokenLabel: token.tokenLabel,
        pin: token.pin,
        soPin: token.soPin,
        emptyTokenLabel: token.emptyTokenLabel,
      },
      corpus: { dir: CORPUS_DIR, entries },
    };
    // Atomic replace: an interrupted setup never leaves half a manifest behind.
    const tmp = `${MANIFEST_PATH}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(tmp, MANIFEST_PATH);
    process.env.SOFTHSM2_CONF = token.conf;
  } catch (e) {
    release();
    throw e;
  }
  // Documents from real producers that test files cache on first use: made here when missing (setup.sh --tests).
  const t = Date.now();
  await warmDocumentCaches();
  timings.push(`documents ${Date.now() - t}ms`);
  if (process.env.KYSO_FIXTURES_QUIET !== '1') console.log(`[fixtures] ${timings.join(', ')}`);
  // One LibreOffice for the whole run's OOXML checks (libreoffice-verify.ts).
  let stopChecker: (() => Promise<void>) | null;
  try {
    stopChecker = startLibreOfficeChecker();
  } catch (e) {
    release();
    throw e;
  }
  // Teardown: the tokens are ours until every test file has run.
  return async () => {
    try {
      await stopChecker?.();
    } finally {
      release();
      removeRunTmp();
    }
  };
}

function subjectCn(pem: string): string | undefined {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const cert = AsnConvert.parse(der, Certificate);
  return cert.tbsCertificate.subject.flatMap((rdn) => [...rdn]).find((atv) => atv.type === '2.5.4.3')?.value.toString();
}

function checkTools(): void {
  const missing = REQUIRED_TOOLS.filter(([tool]) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  throw new Error(
    `Kyso test fixtures need ${missing.map(([t, p]) => `${t} (package ${p})`).join(', ')}, not found on PATH.\n` +
      'Install them with: sudo apt-get install softhsm2 opensc openssl libnss3-tools',
  );
}

function findModule(): string {
  const override = process.env.SOFTHSM2_MODULE;
  if (override) {
    if (!existsSync(override)) throw new Error(`SOFTHSM2_MODULE=${override} does not exist`);
    return override;
  }
  const found = MODULE_CANDIDATES.find((m) => existsSync(m));
  if (!found) {
    throw new Error(
      `libsofthsm2.so not found (looked in ${MODULE_CANDIDATES.join(', ')}).\n` +
        'Install it with: sudo apt-get install softhsm2 (or set SOFTHSM2_MODULE)',
    );
  }
  return found;
}

/** Runs a fixture script; on failure throws with the tail of its output. */
function run(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new Error(`fixtures: cannot start ${name}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`fixtures: ${name} failed (${signal ?? `exit ${code}`}):\n${out.trimEnd()}`));
    });
  });
}

function readCorpusManifest(file: string): CorpusEntry[] {
  if (!existsSync(file)) throw new Error(`fixtures: make-corpus.sh did not write ${file}`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { entries?: CorpusEntry[] };
  if (!Array.isArray(parsed.entries)) throw new Error(`fixtures: ${file} has no "entries" array`);
  return parsed.entries.map((e) => {
    const abs = path.resolve(CORPUS_DIR, e.file);
    if (!existsSync(abs)) throw new Error(`fixtures: corpus entry ${e.file} does not exist (${abs})`);
    return { ...e, file: abs };
  });
}

function* listFiles(dir: string): Generator<string> {
  for (const ent of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) yield* listFiles(p);
    else if (ent.isFile()) yield p;
  }
}

/** sha256 over (relative path, content) of each file, plus an optional salt. */
function hashFiles(files: string[], salt = ''): string {
  const h = createHash('sha256').update(salt);
  for (const f of files) h.update(`\0${path.relative(TESTS_DIR, f)}\0`).update(readFileSync(f));
  return h.digest('hex');
}

function stampPath(stage: string): string {
  return path.join(STAMP_DIR, `${stage}.json`);
}

function readStamp(stage: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(stampPath(stage), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

function writeStamp(stage: string, hash: string): Stamp {
  mkdirSync(STAMP_DIR, { recursive: true });
  const stamp: Stamp = { hash, buildId: randomUUID(), completedAt: new Date().toISOString() };
  writeFileSync(stampPath(stage), `${JSON.stringify(stamp)}\n`);
  return stamp;
}

/**
 * Serialises vitest runs sharing tests/.cache (mkdir is atomic). The holder refreshes the lock's
 * mtime every 20 s; a lock is taken over when its owner process is gone (same host) or its
 * heartbeat is older than 2 minutes (owner killed, or on another host/pid namespace).
 */
async function acquireLock(): Promise<() => void> {
  const ownerFile = path.join(LOCK_DIR, 'owner');
  const me = `${hostname()}:${process.pid}`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(ownerFile, me);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (lockIsStale(ownerFile)) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`fixtures: another test run (${readOwner(ownerFile) || '?'}) still holds ${LOCK_DIR}; giving up after 15 min`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(LOCK_DIR, now, now);
    } catch {
      /* lock removed under us: nothing to refresh */
    }
  }, 20_000);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release);
    if (readOwner(ownerFile) === me) rmSync(LOCK_DIR, { recursive: true, force: true });
  };
  process.on('exit', release); // teardown skipped (crash, Ctrl-C): do not leave the lock behind
  return release;
}

function readOwner(ownerFile: string): string {
  try {
    return readFileSync(ownerFile, 'utf8');
  } catch {
    return '';
  }
}

function lockIsStale(ownerFile: string): boolean {
  let mtime: number;
  try {
    mtime = statSync(LOCK_DIR).mtimeMs;
  } catch {
    return false; // vanished: just retry mkdir
  }
  if (Date.now() - mtime > 2 * 60_000) return true;
  const [host, pid] = readOwner(ownerFile).split(':');
  if (host !== hostname() || !pid) return false; // cannot probe; rely on the heartbeat
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
