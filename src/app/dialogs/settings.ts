/**
 * The settings window: PKCS#11 module paths (added only through the OS file dialog, `chooseModule`), default
 * TSA and its credentials, default appearance, port, PIN cache, log level, autostart, allowed sites.
 */
import type { KysoSettingsBridge, SettingsDialogRequest, SettingsDialogResult } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';
import { PIN_CACHE_CHOICES, settingsResultSchema } from '../settings.js';

export type SettingsCalls = Pick<KysoSettingsBridge, 'chooseModule' | 'installLocalCertificate'>;

export function settingsDialog(calls: SettingsCalls, chosenModules: Set<string>): DialogSpec<SettingsDialogRequest, SettingsDialogResult> {
  return {
    kind: 'settings',
    parse: (raw, request) => {
      const result = settingsResultSchema.parse(raw) as SettingsDialogResult;
      // A module path is either one the user already had or one picked in the OS file dialog just now:
      // the page cannot type one in.
      const known = new Set([...request.settings.modulePaths, ...chosenModules]);
      const unknown = result.modulePaths.filter((p) => !known.has(p));
      if (unknown.length) throw new Error('module paths must come from the file dialog');
      if (!PIN_CACHE_CHOICES.includes(result.pinCacheMinutes)) throw new Error('PIN cache duration not offered');
      return result;
    },
    calls: {
      chooseModule: async () => {
        const file = await calls.chooseModule();
        if (file) chosenModules.add(file);
        return file;
      },
      installLocalCertificate: () => calls.installLocalCertificate(),
    },
  };
}
