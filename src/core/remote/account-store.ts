/**
 * The remote signing accounts the user added: one small JSON file (`remote-accounts.json` in Kyso's config
 * directory), written all-or-nothing with mode 0600. It holds no secret — passwords are asked each time — only
 * which provider, what the user typed as the account, and their label for it.
 *
 * Format (version 1): `{"version": 1, "accounts": [{"id": "acc-…", "providerId": "…", "account": "…", "label": "…"}]}`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { writeFileAtomicSync } from '../atomic-write.js';
import { KysoError } from '../errors.js';
import { findProvider, normalizeAccount } from './providers.js';
import type { RemoteAccount, RemoteProvider } from './types.js';

export const REMOTE_ACCOUNTS_FILE = 'remote-accounts.json';

const accountSchema = z.object({
  id: z.string().regex(/^acc-[a-z0-9]{8,32}$/),
  providerId: z.string().max(40),
  account: z.string().min(1).max(100),
  label: z.string().max(100),
}).strict();
const fileSchema = z.object({ version: z.literal(1), accounts: z.array(accountSchema).max(100) }).strict();

export class RemoteAccountStore {
  readonly file: string;

  /** `configDir`: Kyso's config directory (core/config-dir defaultConfigDir()), the file is named there. */
  constructor(configDir: string, private readonly providers: readonly RemoteProvider[]) {
    this.file = path.join(configDir, REMOTE_ACCOUNTS_FILE);
  }

  /** The accounts on disk now (none when the file does not exist); a damaged file is an error, never silently emptied. */
  list(): RemoteAccount[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new KysoError('BAD_REQUEST', `${this.file}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = text.length <= 256 * 1024 ? JSON.parse(text) : undefined;
    } catch { /* below */ }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw new KysoError('BAD_REQUEST', `${this.file}: not a remote accounts file (version 1)`);
    return parsed.data.accounts;
  }

  /** Adds an account after checking the provider exists and the account has its form; the label defaults to the account. */
  add(input: { providerId: string; account: string; label?: string }): RemoteAccount {
    const provider = findProvider(this.providers, input.providerId);
    const account = normalizeAccount(provider, input.account);
    const label = (input.label ?? '').normalize('NFC').trim() || account;
    if (label.length > 100 || /[\u0000-\u001f]/.test(label)) throw new KysoError('BAD_REQUEST', 'the label must be at most 100 characters, on one line');
    const accounts = this.list();
    if (accounts.some((a) => a.providerId === provider.id && a.account === account)) throw new KysoError('BAD_REQUEST', `${provider.name} ${account} is already added`);
    if (accounts.some((a) => a.label === label)) throw new KysoError('BAD_REQUEST', `an account is already labelled "${label}"`);
    const added: RemoteAccount = { id: `acc-${randomBytes(6).toString('hex')}`, providerId: provider.id, account, label };
    this.write([...accounts, added]);
    return added;
  }

  /** Removes by id or exact label; NOT_FOUND-like BAD_REQUEST when none matches. */
  remove(idOrLabel: string): RemoteAccount {
    const accounts = this.list();
    const found = this.find(idOrLabel, accounts);
    this.write(accounts.filter((a) => a.id !== found.id));
    return found;
  }

  /** The account named by its id, a unique id prefix, or its label. */
  find(idOrLabel: string, accounts: readonly RemoteAccount[] = this.list()): RemoteAccount {
    const exact = accounts.find((a) => a.id === idOrLabel || a.label === idOrLabel);
    if (exact) return exact;
    const prefixed = idOrLabel.length >= 6 ? accounts.filter((a) => a.id.startsWith(idOrLabel)) : [];
    if (prefixed.length === 1) return prefixed[0]!;
    throw new KysoError('BAD_REQUEST', `no remote signing account "${idOrLabel}"${accounts.length ? ` (kyso remote list)` : ' (none added: kyso remote add)'}`);
  }

  private write(accounts: readonly RemoteAccount[]): void {
    writeFileAtomicSync(this.file, `${JSON.stringify({ version: 1, accounts }, null, 2)}\n`);
  }
}
