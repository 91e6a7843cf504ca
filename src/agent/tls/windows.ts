/** The current user's Trusted Root store on Windows (`certutil -user`): Edge, Chrome and Firefox's enterprise roots read it. No admin rights; Windows asks the user to confirm the new root. */
import { expectSuccess, runCommand, withPemFile, type CaCertificate, type CommandRunner, type TrustStore } from './trust-store.js';

export class WindowsUserRootStore implements TrustStore {
  readonly id = 'windows-user-root';
  readonly label = 'Windows — Trusted Root (người dùng hiện tại / current user)';

  constructor(private readonly run: CommandRunner = runCommand) {}

  async install(ca: CaCertificate): Promise<void> {
    await withPemFile(ca.pem, async (file) => expectSuccess(this.id, 'certutil', await this.run('certutil', ['-user', '-addstore', '-f', 'Root', file])));
  }

  async remove(ca: CaCertificate): Promise<void> {
    const r = await this.run('certutil', ['-user', '-delstore', 'Root', ca.sha1]);
    // Already gone (the user removed it by hand) is what we wanted.
    if (r.code !== 0 && /not found|0x80092004/i.test(`${r.stdout}${r.stderr}`)) return;
    expectSuccess(this.id, 'certutil', r);
  }
}
