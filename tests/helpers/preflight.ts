/**
 * Apache PDFBox Preflight, the PDF/A-1b validator Debian ships in libpdfbox2-java (with the JRE and the two Java EE
 * APIs it loads, see .ci/apt-packages.txt). It checks ISO 19005-1 only: on a PDF/A-2/3 file it also reports
 * the rules part 2 relaxed (docs/pdfa.md says how the tests read that).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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

/** Validates `file` as PDF/A-1b. */
export function preflight(file: string): PreflightResult {
  const r = spawnSync('java', ['-cp', JARS.join(':'), 'org.apache.pdfbox.preflight.Validator_A1b', file], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  const output = r.stdout + r.stderr;
  const verdict = /is (not )?a valid PDF\/A-1b file/.exec(output);
  if (!verdict) throw new Error(`Preflight gave no verdict (exit ${r.status}):\n${output}`);
  const errors = [...output.matchAll(/^(\d+(?:\.\d+)*) : (.*)$/gm)].map((m) => ({ code: m[1]!, message: m[2]! }));
  return { valid: !verdict[1] && r.status === 0, errors, output };
}
