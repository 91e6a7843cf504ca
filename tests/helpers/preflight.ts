/**
 * Apache PDFBox Preflight, the PDF/A-1b validator Debian ships in libpdfbox2-java (with the JRE and the two Java EE
 * APIs it loads, see .ci/apt-packages.txt). It checks ISO 19005-1 only: on a PDF/A-2/3 file it also reports
 * the rules part 2 relaxed (docs/pdfa.md says how the tests read that).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const JARS = ['preflight', 'pdfbox2', 'fontbox2', 'xmpbox', 'commons-logging', 'jaxb-api', 'javax.activation']
  .map((j) => `/usr/share/java/${j}.jar`);

export interface PreflightError {
  /** Preflight's error code, e.g. "3.1.11" (CIDSet), "2.2.2" (transparency). */
  code: string;
  message: string;
}

export interface PreflightResult {
  valid: boolean;
  errors: PreflightError[];
  output: string;
}

/**
 * Whether java and the Preflight jars are installed. Outside CI a missing one skips the checks; in CI (where
 * .ci/apt-packages.txt installs them) it is an error, so the checks can never silently disappear.
 */
export function preflightAvailable(): boolean {
  const ok = JARS.every((j) => existsSync(j)) && spawnSync('sh', ['-c', 'command -v java'], { stdio: 'ignore' }).status === 0;
  if (!ok && process.env.CI) throw new Error('PDFBox Preflight is required in CI (default-jre-headless, libpdfbox2-java, libjaxb-api-java, libactivation-java in .ci/apt-packages.txt)');
  return ok;
}

/** Validates each file as PDF/A-1b, in one Java process (its start is most of the time); results in order. */
export function preflight(...files: string[]): PreflightResult[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-preflight-'));
  try {
    const list = path.join(dir, 'files.txt');
    writeFileSync(list, files.map((f) => path.resolve(f)).join('\n') + '\n');
    // "xml group": one report for the list, written beside it as files.txt.preflight.xml.
    const r = spawnSync('java', ['-cp', JARS.join(':'), 'org.apache.pdfbox.preflight.Validator_A1b', 'xml', 'group', list],
      { encoding: 'utf8', timeout: 300_000 });
    if (r.error) throw r.error;
    const report = path.join(dir, 'files.txt.preflight.xml');
    const xml = existsSync(report) ? readFileSync(report, 'utf8') : '';
    const blocks = xml.split(/<preflight name=/).slice(1);
    if (blocks.length !== files.length) throw new Error(`Preflight reported ${blocks.length} of ${files.length} files (exit ${r.status}):\n${r.stdout}${r.stderr}${xml}`);
    return blocks.map((block) => {
      const verdict = /<isValid[^>]*>(true|false)<\/isValid>/.exec(block);
      if (!verdict) throw new Error(`Preflight gave no verdict:\n${block}`);
      const errors = [...block.matchAll(/<code>([^<]*)<\/code>\s*<details>([^<]*)<\/details>/g)].map((m) => ({ code: m[1]!, message: unescapeXml(m[2]!) }));
      return { valid: verdict[1] === 'true', errors, output: block };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const unescapeXml = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
