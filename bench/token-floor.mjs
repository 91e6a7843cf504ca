#!/usr/bin/env node
/**
 * The token floor for the bench: what one signature costs on the token itself, with nothing of Kyso around it —
 * C_Login, C_SignInit + C_Sign of a digest, C_Logout, as the agent does per signature. Straight pkcs11js.
 * `node bench/token-floor.mjs MODULE TOKEN_LABEL PIN rsa|ec KEY_ID RUNS` prints {"p50":ms,"p95":ms} (SOFTHSM2_CONF set).
 * KEY_ID (hex CKA_ID) names the key the agent signs with, found as the agent finds it: the token holds two EC keys
 * (P-256, P-384), and which one a search by type finds first follows the order of the token's files (in the bench's
 * copies of the token, the P-384 one, twice as slow to sign with, in 3 of 4).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkcs11js = require('pkcs11js');
const [module, label, pin, kind = 'rsa', keyId, runsArg = '200'] = process.argv.slice(2);
if (!keyId || !/^([0-9a-f]{2})+$/i.test(keyId)) throw new Error('usage: token-floor.mjs MODULE TOKEN_LABEL PIN rsa|ec KEY_ID RUNS');
const runs = Number(runsArg);
const p = new pkcs11js.PKCS11();
p.load(module);
p.C_Initialize();
try {
  const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trim() === label);
  if (!slot) throw new Error(`no token ${label}`);
  const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  // RSA signs a SHA-256 DigestInfo (CKM_RSA_PKCS), ECDSA a bare digest (CKM_ECDSA): what Kyso sends.
  const digest = Buffer.alloc(32, 7);
  const data = kind === 'rsa' ? Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest]) : digest;
  const mechanism = kind === 'rsa' ? pkcs11js.CKM_RSA_PKCS : pkcs11js.CKM_ECDSA;
  const findKey = () => {
    p.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(keyId, 'hex') }]);
    const [key] = p.C_FindObjects(session, 1);
    p.C_FindObjectsFinal(session);
    if (!key) throw new Error(`no key ${keyId}`);
    return key;
  };
  const once = () => {
    p.C_Login(session, pkcs11js.CKU_USER, pin);
    const key = findKey();
    p.C_SignInit(session, { mechanism }, key);
    p.C_Sign(session, data, Buffer.alloc(512));
    p.C_Logout(session);
  };
  for (let i = 0; i < 10; i++) once();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    once();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ p50: times[Math.floor(runs / 2)], p95: times[Math.floor(runs * 0.95)] })}\n`);
  p.C_CloseSession(session);
} finally {
  p.C_Finalize();
}
