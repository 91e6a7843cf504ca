/**
 * Settings → "Chữ ký số từ xa / Remote signing": what the settings window shows of the remote accounts, and how
 * its answer is checked and applied. The accounts live in the account store (core/remote, a JSON file in Kyso's
 * config folder, no secret); the window only sees presets by id, labels and partly hidden accounts.
 */
import * as z from 'zod';
import type { RemoteAccountStore } from '../core/remote/account-store.js';
import { findProvider, normalizeAccount } from '../core/remote/providers.js';
import type { RemoteProvider } from '../core/remote/types.js';
import type { RemoteAccountsChange, RemoteAccountsView } from '../ui/kit/protocol.js';
import { isValidLabel, maskAccount } from '../ui/kit/remote-account.js';
import { remoteSetup } from '../agent/remote-keys.js';

/** The account store and the providers it may name (presets and the user's own file, core/remote/providers.ts). */
export interface RemoteAccounts {
  store: Pick<RemoteAccountStore, 'list' | 'add' | 'remove'>;
  providers: readonly RemoteProvider[];
}

export function remoteAccountsView({ store, providers }: RemoteAccounts): RemoteAccountsView {
  return {
    providers: providers.map((p) => ({ id: p.id, name: p.name, app: p.app, accountKind: p.account.kind })),
    accounts: store.list().map((a) => ({
      id: a.id,
      providerId: a.providerId,
      provider: providers.find((p) => p.id === a.providerId)?.name ?? a.providerId,
      label: a.label,
      account: maskAccount(a.account),
    })),
  };
}

export const remoteAccountsChangeSchema = z.object({
  add: z.array(z.object({ providerId: z.string().max(100), account: z.string().max(100), label: z.string().max(200) }).strict()).max(20),
  remove: z.array(z.string().max(200)).max(100),
}).strict();

/**
 * The change, checked against what the window was offered: a provider offered (by id, never a URL), an account of
 * the form that provider takes (core's check, the one `kyso remote add` uses), a label.
 */
export function checkRemoteChange(raw: unknown, offered: RemoteAccountsView, providers: readonly RemoteProvider[]): RemoteAccountsChange {
  const change = remoteAccountsChangeSchema.parse(raw);
  const add = change.add.map((a) => {
    if (!offered.providers.some((p) => p.id === a.providerId)) throw new Error('not one of the providers offered');
    if (!isValidLabel(a.label)) throw new Error('the label must be 1 to 100 characters on one line');
    return { providerId: a.providerId, account: normalizeAccount(findProvider(providers, a.providerId), a.account), label: a.label.trim() };
  });
  if (change.remove.some((id) => !offered.accounts.some((a) => a.id === id))) throw new Error('not one of the accounts shown');
  return { add, remove: [...new Set(change.remove)] };
}

/** Applies a checked change; whether anything changed (the agent then reads the accounts again). */
export function applyRemoteChange({ store }: RemoteAccounts, change: RemoteAccountsChange): boolean {
  for (const id of change.remove) store.remove(id);
  for (const a of change.add) store.add(a);
  return change.add.length + change.remove.length > 0;
}

/** The tray's accounts (the folder the agent reads them from); none when the providers file does not read. */
export function remoteAccountsFor(dataDir: string): { remoteAccounts?: RemoteAccounts } {
  try {
    return { remoteAccounts: remoteSetup(dataDir) };
  } catch {
    // The agent says why in its log (agent/index.ts); the settings window then shows no remote section.
    return {};
  }
}
