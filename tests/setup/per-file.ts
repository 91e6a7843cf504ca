/**
 * vitest setupFiles: gives each test file its own copy of the SoftHSM tokens, so files run in parallel and no
 * file sees PIN counters, objects or sessions another file left behind (the tokens are state: a wrong-PIN test
 * sets CKF_USER_PIN_COUNT_LOW). The copy is made from the tokens the global setup provisioned; fixtures()
 * then names this file's softhsm2.conf, and SOFTHSM2_CONF points at it before any test loads the module.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { CACHE_DIR, MANIFEST_PATH, PER_FILE_CONF_ENV, type Fixtures } from '../helpers/fixtures.js';

const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Fixtures;
const base = path.join(CACHE_DIR, 'softhsm-per-file');
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(path.join(base, `${process.pid}-`));
cpSync(path.join(path.dirname(manifest.softhsm.conf), 'tokens'), path.join(dir, 'tokens'), { recursive: true });
const conf = path.join(dir, 'softhsm2.conf');
writeFileSync(conf, `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
process.env[PER_FILE_CONF_ENV] = conf;
// Chromium and the office tools name files and decode text by the locale. A bare CI environment has none (POSIX),
// where Chromium saves "Tờ khai.pdf" as "download"; the tools the tests start get a UTF-8 locale, as a desktop has.
const locale = process.env.LC_ALL || process.env.LC_CTYPE || process.env.LANG || '';
if (!/utf-?8/i.test(locale)) process.env.LC_ALL = 'C.UTF-8';
process.env.SOFTHSM2_CONF = conf;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
