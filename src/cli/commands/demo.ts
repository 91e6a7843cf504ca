/**
 * `kyso demo`: the whole flow without owning a USB token. Provisions a SoftHSM token with a test PKI
 * (Vietnamese names, CA → signer), writes a sample PDF, signs it through PKCS#11 exactly as with a real
 * token, and verifies the result.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { PDF, StandardFonts, rgb } from '@libpdf/core';
import { KysoError } from '../../core/errors.js';
import { TokenService } from '../../core/token/token-service.js';
import { signPdf } from '../../core/pdf/sign.js';
import { verifyPdf } from '../../core/pdf/verify.js';
import { PACKAGE_ROOT } from '../../core/package-paths.js';
import { runCommand } from '../output.js';

const REPO = PACKAGE_ROOT;
const SOFTHSM_MODULES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so', '/opt/homebrew/lib/softhsm/libsofthsm2.so'];
const DEMO_PIN = '123456';

function which(cmd: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

async function samplePdf(): Promise<Uint8Array> {
  const pdf = PDF.create();
  const page = pdf.addPage({ width: 595, height: 842 });
  page.drawText('Kyso demo - Don de nghi (sample application form)', { x: 60, y: 760, size: 16, font: StandardFonts.Helvetica, color: rgb(0, 0, 0) });
  page.drawText('This document was signed by a SoftHSM token through PKCS#11.', { x: 60, y: 730, size: 11, font: StandardFonts.Helvetica });
  return pdf.save();
}

export function registerDemo(program: Command): void {
  program.command('demo')
    .description('chạy thử với token giả lập / provision a SoftHSM demo token, sign a sample PDF and verify it')
    .option('--dir <dir>', 'working directory', path.join(os.homedir(), '.cache', 'kyso-demo'))
    .action((opts: { dir: string }) => runCommand(async () => {
      const module = SOFTHSM_MODULES.find((m) => existsSync(m));
      if (!module || !which('softhsm2-util') || !which('pkcs11-tool')) {
        throw new KysoError('MODULE_NOT_FOUND', 'the demo needs SoftHSM and OpenSC: sudo apt-get install softhsm2 opensc openssl libnss3-tools');
      }
      mkdirSync(opts.dir, { recursive: true });
      const pki = path.join(opts.dir, 'pki');
      const hsm = path.join(opts.dir, 'softhsm');
      const script = (name: string): string => path.join(REPO, 'tests', 'fixtures', 'pki', name);
      process.stderr.write(`1/4 PKI thử nghiệm và token SoftHSM / test PKI and SoftHSM token: ${opts.dir}\n`);
      execFileSync('bash', [script('make-pki.sh'), pki], { stdio: ['ignore', 'ignore', 'inherit'] });
      execFileSync('bash', [script('provision-softhsm.sh'), pki, hsm], { stdio: ['ignore', 'ignore', 'inherit'] });
      process.env.SOFTHSM2_CONF = path.join(hsm, 'softhsm2.conf');

      const input = path.join(opts.dir, 'sample.pdf');
      await writeFile(input, await samplePdf());
      const service = new TokenService([{ path: module, vendor: 'softhsm', displayName: 'SoftHSM (demo)' }]);
      try {
        const cert = service.certificates().find((c) => c.info.keyType === 'RSA');
        if (!cert) throw new KysoError('NO_CERTIFICATE');
        process.stderr.write(`2/4 token "${cert.token.label}", chứng thư / certificate ${cert.info.subject.commonName} (PIN thử / demo PIN ${DEMO_PIN})\n`);
        const key = await service.signingKey(cert.id, async () => DEMO_PIN);
        const signed = await signPdf(await readFile(input), key, { reason: 'Đồng ý nội dung văn bản', location: 'Hà Nội' });
        const output = path.join(opts.dir, 'sample-signed.pdf');
        await writeFile(output, signed.bytes);
        process.stderr.write(`3/4 đã ký / signed → ${output}\n`);
        const check = await verifyPdf(signed.bytes);
        const s = check.signatures[0];
        process.stderr.write(`4/4 kiểm tra / verify: ${check.allIntact ? 'hợp lệ / VALID' : 'không hợp lệ / INVALID'} — ${s?.signer?.commonName}, ${s?.claimedTime?.toISOString()}, ${s?.coversWholeFile ? 'phủ toàn bộ tệp / covers the whole file' : 'một phần / partial'}\n`);
        process.stdout.write(`${output}\n`);
        process.stderr.write(`\nThử tiếp / Try: kyso tokens --module ${module}   (with SOFTHSM2_CONF=${process.env.SOFTHSM2_CONF})\n     pdfsig -nssdir sql:${path.join(pki, 'nssdb')} ${output}\n`);
        return check.allIntact ? 0 : 2;
      } finally {
        service.close();
      }
    }));
}
