/** The user's login keychain on macOS, trusted for SSL only: Safari and Chrome read it. macOS asks for the user's password to change trust settings. */
import os from 'node:os';
import path from 'node:path';
import { expectSuccess, runCommand, withPemFile, type CaCertificate, type CommandRunner, type TrustStore } from './trust-store.js';

export class MacLoginKeychainStore implements TrustStore {
  readonly id = 'macos-login-keychain';
  readonly label = 'macOS — login keychain';
  private readonly keychain: string;

  constructor(private readonly run: CommandRunner = runCommand, home: string = os.homedir()) {
    this.keychain = path.join(home, 'Library', 'Keychains', 'login.keychain-db');
  }

  async install(ca: CaCertificate): Promise<void> {
    await withPemFile(ca.pem, async (file) => expectSuccess(this.id, 'security',
      await this.run('security', ['add-trusted-cert', '-r', 'trustRoot', '-p', 'ssl', '-k', this.keychain, file])));
  }

  async remove(ca: CaCertificate): Promise<void> {
    // Trust settings first (they outlive the certificate otherwise), then the certificate.
    await withPemFile(ca.pem, (file) => this.run('security', ['remove-trusted-cert', file]));
    const r = await this.run('security', ['delete-certificate', '-Z', ca.sha1.toUpperCase(), this.keychain]);
    if (r.code !== 0 && /could not be found|not found/i.test(`${r.stdout}${r.stderr}`)) return;
    expectSuccess(this.id, 'security', r);
  }
}
