/** An NSS database (`certutil` from libnss3-tools): Chromium's `~/.pki/nssdb` on Linux, and each Firefox profile there. */
import { existsSync, mkdirSync } from 'node:fs';
import { TrustStoreError, expectSuccess, runCommand, withPemFile, type CaCertificate, type CommandRunner, type TrustStore } from './trust-store.js';

export class NssStore implements TrustStore {
  readonly id: string;

  constructor(
    private readonly dir: string,
    readonly label: string,
    private readonly options: { run?: CommandRunner; create?: boolean } = {},
  ) {
    this.id = `nss:${dir}`;
  }

  private get run(): CommandRunner {
    return this.options.run ?? runCommand;
  }

  private get db(): string {
    return `sql:${this.dir}`;
  }

  async install(ca: CaCertificate): Promise<void> {
    if (!existsSync(this.dir) || (this.options.create && !existsSync(`${this.dir}/cert9.db`))) {
      if (!this.options.create) throw new TrustStoreError(this.id, 'no NSS database there');
      // Chromium creates ~/.pki/nssdb on first run; making it now (empty password, as Chromium does) lets a browser installed later trust us too.
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      expectSuccess(this.id, 'certutil', await this.run('certutil', ['-N', '-d', this.db, '--empty-password']));
    }
    // "C,,": a CA trusted to issue TLS server certificates, nothing else (not e-mail, not code signing).
    await withPemFile(ca.pem, async (file) => expectSuccess(this.id, 'certutil',
      await this.run('certutil', ['-A', '-d', this.db, '-n', ca.name, '-t', 'C,,', '-i', file])));
  }

  async remove(ca: CaCertificate): Promise<void> {
    if (!existsSync(this.dir)) return;
    const r = await this.run('certutil', ['-D', '-d', this.db, '-n', ca.name]);
    if (r.code !== 0 && /could not find|not found/i.test(`${r.stdout}${r.stderr}`)) return;
    expectSuccess(this.id, 'certutil', r);
  }

  /** Whether the database holds our CA under its name. */
  async contains(ca: CaCertificate): Promise<boolean> {
    return (await this.run('certutil', ['-L', '-d', this.db, '-n', ca.name])).code === 0;
  }
}
