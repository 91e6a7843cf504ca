/** The loopback CA and server certificate, checked by openssl and by a real TLS handshake. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLoopbackCertificates, MAX_SERVER_DAYS } from '../../src/agent/tls/generator.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-tlsgen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const certs = generateLoopbackCertificates({ now: new Date() });
const ca = path.join(dir, 'ca.pem');
const server = path.join(dir, 'server.pem');
writeFileSync(ca, certs.caCert);
writeFileSync(server, certs.serverCert);

const verify = (...args: string[]): { ok: boolean; out: string } => {
  const r = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', ca, ...args], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
};

describe('loopback certificates', () => {
  it('the server certificate chains to the CA for localhost, 127.0.0.1 and ::1, as a TLS server', () => {
    for (const name of [['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
      const r = verify('-purpose', 'sslserver', ...name, server);
      expect(r.ok, r.out).toBe(true);
    }
  });

  it('refuses other names: the certificate does not claim them', () => {
    expect(verify('-verify_hostname', 'portal.gov.vn', server).ok).toBe(false);
    expect(verify('-verify_ip', '10.0.0.1', server).ok).toBe(false);
  });

  it('the CA is constrained to loopback names: a certificate it signed for another name would fail', () => {
    const text = execFileSync('openssl', ['x509', '-in', ca, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+IP:127\.0\.0\.1\/255\.255\.255\.255\s+IP:0:0:0:0:0:0:0:1\/FFFF/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Certificate Sign, CRL Sign/);
    expect(new X509Certificate(certs.caCert).subject).toContain('O=Kyso – chỉ cho máy này');
  });

  it('server certificate: serverAuth only, not a CA, at most 397 days, P-256', () => {
    const x = new X509Certificate(certs.serverCert);
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const days = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(MAX_SERVER_DAYS);
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.checkIssued(new X509Certificate(certs.caCert))).toBe(true);
    expect(certs.notAfter.getTime()).toBe(Date.parse(x.validTo));
  });

  it('hands out no CA private key: the only key returned is the server key', () => {
    const keys = Object.values(certs).filter((v) => typeof v === 'string' && v.includes('PRIVATE KEY'));
    expect(keys).toEqual([certs.serverKey]);
    const caKey = new X509Certificate(certs.caCert).publicKey.export({ format: 'der', type: 'spki' });
    const serverKey = new X509Certificate(certs.serverCert).publicKey.export({ format: 'der', type: 'spki' });
    expect(Buffer.compare(caKey, serverKey)).not.toBe(0);
  });

  it('two runs make two unrelated CAs', () => {
    const other = generateLoopbackCertificates();
    expect(other.caSha256).not.toBe(certs.caSha256);
    expect(other.caName).not.toBe(certs.caName);
    expect(new X509Certificate(other.serverCert).checkIssued(new X509Certificate(certs.caCert))).toBe(false);
  });

  it('a TLS client that trusts only the CA completes a handshake with a server using the certificate', async () => {
    const srv = https.createServer({ key: certs.serverKey, cert: certs.serverCert }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const get = (host: string, trust?: string): Promise<string> => new Promise((resolve, reject) => {
      https.get({ host: '127.0.0.1', servername: host === '127.0.0.1' ? undefined : host, port, path: '/', ...(trust ? { ca: trust } : {}), headers: { host } }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    try {
      expect(await get('127.0.0.1', certs.caCert)).toBe('ok');
      expect(await get('localhost', certs.caCert)).toBe('ok');
      await expect(get('127.0.0.1')).rejects.toThrow(/certificate/i);
      await expect(get('127.0.0.1', generateLoopbackCertificates().caCert)).rejects.toThrow(/certificate|signature/i);
    } finally {
      srv.close();
    }
  });
});
