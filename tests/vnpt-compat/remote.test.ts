/**
 * A page written for the VNPT-CA Plugin, unchanged, with a remote certificate: the certificate functions list it
 * as one more certificate in the plugin's shape, and signArrDataAdvanced signs an array with one phone approval
 * (the test CSC service's multisign covers the array), each PDF checked by pdfsig. No USB token is plugged in.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedPrompter } from '../../src/agent/prompters/scripted.js';
import { generateLoopbackCertificates } from '../../src/agent/tls/generator.js';
import { TokenService } from '../../src/core/token/token-service.js';
import { fixtures } from '../helpers/fixtures.js';
import { startCscServer, type CscServer } from '../helpers/csc-server.js';
import { pdfsig, withTempFile } from '../helpers/tools.js';
import { harness } from '../remote/harness.js';
import { PORTAL, samplePdf, startTestAgent, type TestAgent } from '../agent/harness.js';
import { PluginPage, advancedItem, newPdfSigner } from './plugin-page.js';

interface Item { code: number; data: string; serial: string; error: string }
const items = (x: string): Item[] => (JSON.parse(x) as string[]).map((s) => JSON.parse(s) as Item);
const signers = fixtures().pki.signers;
const certOf = (s: 'rsa' | 'ec256'): X509Certificate => new X509Certificate(readFileSync(signers[s].cert, 'utf8'));

const loopback = generateLoopbackCertificates();
let server: CscServer;
let agent: TestAgent;
let prompter: ScriptedPrompter;
let url: string;

beforeAll(async () => {
  server = await startCscServer({ multisign: 3 });
  const rsaId = (await harness(server).source.certificates()).find((c) => c.info.keyType === 'RSA')!.id;
  prompter = new ScriptedPrompter({ consent: (o) => o === PORTAL, confirm: true, chooseCertificate: rsaId });
  agent = await startTestAgent(prompter, {
    tokens: new TokenService([]), remote: harness(server).source,
    tls: { key: loopback.serverKey, cert: loopback.serverCert }, vnpt: { ports: [0] },
  });
  url = `wss://localhost:${agent.server.vnptPort}/plugin`;
});
afterAll(async () => { await agent?.close(); await server?.close(); });
const open = (): Promise<PluginPage> => PluginPage.open(url, { origin: PORTAL, ca: loopback.caCert });

describe('VNPT-CA Plugin endpoint with a remote certificate', () => {
  it('GetAllCertificates and getCertInfo show the remote certificates in the plugin\'s shape', async () => {
    const page = await open();
    const all = (JSON.parse(await page.GetAllCertificates()) as string[]).map((s) => JSON.parse(s) as Record<string, string>);
    expect(all.map((c) => c.subjectCN).sort()).toEqual([signers.rsa.cn, signers.ec256.cn].sort());
    expect(Object.keys(all[0]!).sort()).toEqual(['base64', 'email', 'issuerCN', 'keyUsage', 'notAfter', 'notBefore', 'organization', 'serial', 'signatureAlgorithm', 'subjectCN']);
    const chosen = JSON.parse(await page.getCertInfo(null)) as Record<string, string>;
    expect(chosen).not.toHaveProperty('code');
    expect(chosen.base64).toBe(certOf('rsa').raw.toString('base64'));
    page.close();
  });

  it('signArrDataAdvanced by serial: three PDFs, one confirmation, one phone approval, no PIN; pdfsig accepts each', async () => {
    const page = await open();
    const before = server.phone.requests.length;
    const pdfs = await Promise.all([1, 2, 3].map((i) => samplePdf(`To khai ${i}`)));
    const reply = await page.signArrDataAdvanced(pdfs.map((p) => advancedItem(Buffer.from(p).toString('base64'), 'pdf', newPdfSigner())), certOf('rsa').serialNumber, false);
    const out = items(reply);
    expect(out.map((x) => x.code), out.map((x) => x.error).join('; ')).toEqual([0, 0, 0]);
    expect(out[0]!.serial.toLowerCase()).toBe(certOf('rsa').serialNumber.toLowerCase());
    expect(server.phone.requests.length).toBe(before + 1);
    expect(server.phone.requests.at(-1)!.hashes).toHaveLength(3);
    expect(prompter.count('pin')).toBe(0);
    expect(prompter.calls.filter((c) => c.kind === 'confirm').at(-1)).toMatchObject({ approvals: 1 });
    for (const x of out) {
      withTempFile(Buffer.from(x.data, 'base64'), 'vnpt-remote.pdf', (f) => {
        expect(pdfsig(f).signatures.at(-1)).toMatchObject({ valid: true, trusted: true, signerCommonName: signers.rsa.cn });
      });
    }
    page.close();
  });

  it('declined on the phone: every item fails with the plugin\'s failure shape, nothing signed', async () => {
    const page = await open();
    server.phone.answer = 'decline';
    try {
      const pdf = Buffer.from(await samplePdf()).toString('base64');
      const out = items(await page.signArrDataAdvanced([advancedItem(pdf, 'pdf'), advancedItem(pdf, 'pdf')], certOf('rsa').serialNumber, false));
      // The plugin's "user cancelled": declining on the phone is the user's own no.
      expect(out.map((x) => x.code)).toEqual([11, 11]);
      expect(out.every((x) => x.data === '' && x.error.endsWith('[REMOTE_REJECTED]'))).toBe(true);
    } finally {
      server.phone.answer = { approveAfterPolls: 1 };
    }
    page.close();
  });
});
