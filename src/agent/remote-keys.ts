/**
 * The remote key source as the agent runs it (`kyso serve`, the tray app): the user's accounts and providers from
 * Kyso's config folder (core/remote: account store, presets and the user's own providers file), and each secret a
 * service asks for asked through the Prompter at that moment. Nothing here comes from a web page.
 */
import { KysoError } from '../core/errors.js';
import { RemoteAccountStore } from '../core/remote/account-store.js';
import { loadProviders } from '../core/remote/providers.js';
import { CscKeySource } from '../core/remote/remote-source.js';
import type { RemoteKeySource, RemoteProvider } from '../core/remote/types.js';
import type { Prompter } from './prompter.js';

export interface RemoteSetup {
  store: RemoteAccountStore;
  providers: readonly RemoteProvider[];
}

/**
 * The account store and providers of `configDir`. A providers file that does not read throws BAD_REQUEST naming
 * it: the tray then runs without remote signing and says why in its log (agent/index.ts); `kyso serve` stops.
 */
export function remoteSetup(configDir: string): RemoteSetup {
  const providers = loadProviders(configDir);
  return { store: new RemoteAccountStore(configDir, providers), providers };
}

export function remoteKeySource(setup: RemoteSetup, prompter: Prompter): RemoteKeySource {
  return new CscKeySource({
    // Read again on each call: accounts added in Settings or by `kyso remote add` count at once.
    accounts: () => setup.store.list(),
    providers: setup.providers,
    askSecret: (request, signal) => {
      if (!prompter.remoteSecret) throw new KysoError('REMOTE_AUTH_FAILED', `no way to ask for the ${request.kind} of ${request.provider.name} here`);
      return prompter.remoteSecret(request, signal ? { signal } : {});
    },
  });
}
