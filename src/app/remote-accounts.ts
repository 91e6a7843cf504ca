/**
 * Settings → "Chữ ký số từ xa / Remote signing": what the settings window shows of the remote accounts, and how
 * its answer is checked and applied. The accounts live in the account store (core/remote, a JSON file in Kyso's
 * config folder, no secret); the window only sees presets by id, labels and partly hidden accounts.
 */
import { z } from 'zod';
import type { RemoteAccount, RemoteProvider } from '../core/remote/types.js';
import type { RemoteAccountKind, RemoteAccountsChange, RemoteAccountsView } from '../ui/kit/protocol.js';
import { isValidAccount, isValidLabel, maskAccount, normalizeAccount } from '../ui/kit/remote-account.js';

/** The part of the account store the settings window needs. */
export interface RemoteAccountStore {
  providers(): readonly RemoteProvider[];
  list(): readonly RemoteAccount[];
  add(input: { providerId: string; account: string; label: string }): RemoteAccount | Promise<RemoteAccount>;
  remove(id: string): void | Promise<void>;
}

export function remoteAccountsView(store: RemoteAccountStore): RemoteAccountsView {
  const providers = store.providers();
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

/** The change, checked against what the window was offered: a preset by id only, a well-formed account, a label. */
export function checkRemoteChange(raw: unknown, offered: RemoteAccountsView): RemoteAccountsChange {
  const change = remoteAccountsChangeSchema.parse(raw);
  const add = change.add.map((a) => {
    const provider = offered.providers.find((p) => p.id === a.providerId);
    if (!provider) throw new Error('not one of the providers offered');
    const kind: RemoteAccountKind = provider.accountKind;
    if (!isValidAccount(kind, a.account)) throw new Error(`not a valid ${kind} account`);
    if (!isValidLabel(a.label)) throw new Error('the label must be 1 to 80 characters');
    return { providerId: a.providerId, account: normalizeAccount(kind, a.account), label: a.label.trim() };
  });
  if (change.remove.some((id) => !offered.accounts.some((a) => a.id === id))) throw new Error('not one of the accounts shown');
  return { add, remove: [...new Set(change.remove)] };
}

/** Applies a checked change; whether anything changed (the agent then reads the accounts again). */
export async function applyRemoteChange(store: RemoteAccountStore, change: RemoteAccountsChange): Promise<boolean> {
  for (const id of change.remove) await store.remove(id);
  for (const a of change.add) await store.add(a);
  return change.add.length + change.remove.length > 0;
}
