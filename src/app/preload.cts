/**
 * Preload of every Kyso window (sandboxed, context-isolated): exposes `window.kysoBridge` and nothing else.
 * The bridge's calls are fixed per dialog kind (the window's `--kyso-dialog=<kind>` argument): init, submit
 * and cancel for every dialog, plus chooseModule, installLocalCertificate and addTrustAnchor for settings, and openDocument,
 * verifyDropped(document) and saveRevision(n) for verify. Payloads are plain data over one IPC channel;
 * the main process checks the sender and validates every answer.
 *
 * A sandboxed preload can require only 'electron' (no other modules), so this file imports nothing else and
 * repeats its two constants (tests check them against window-options.ts and electron-shell.ts).
 */
const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

const KYSO_BRIDGE_CHANNEL = 'kyso:dialog';
const KYSO_DIALOG_ARG = '--kyso-dialog=';

const kysoDialogKind = process.argv.find((a) => a.startsWith(KYSO_DIALOG_ARG))?.slice(KYSO_DIALOG_ARG.length);
const kysoInvoke = (op: 'init' | 'submit' | 'cancel' | 'call', payload?: unknown, arg?: unknown): Promise<unknown> =>
  (arg === undefined ? ipcRenderer.invoke(KYSO_BRIDGE_CHANNEL, op, payload) : ipcRenderer.invoke(KYSO_BRIDGE_CHANNEL, op, payload, arg));

const kysoBridge: Record<string, (...args: never[]) => Promise<unknown>> = {
  init: () => kysoInvoke('init'),
  submit: (result: unknown) => kysoInvoke('submit', result),
  cancel: () => kysoInvoke('cancel'),
};
if (kysoDialogKind === 'settings') {
  kysoBridge.chooseModule = () => kysoInvoke('call', 'chooseModule');
  kysoBridge.installLocalCertificate = () => kysoInvoke('call', 'installLocalCertificate');
  // The OS file dialog picks the certificate; the page never names a path.
  kysoBridge.addTrustAnchor = () => kysoInvoke('call', 'addTrustAnchor');
}
if (kysoDialogKind === 'verify') {
  // The page hands over a dropped document's name and bytes, never a path; the main process checks both.
  kysoBridge.openDocument = () => kysoInvoke('call', 'openDocument');
  kysoBridge.verifyDropped = (document: unknown) => kysoInvoke('call', 'verifyDropped', document);
  kysoBridge.saveRevision = (revision: unknown) => kysoInvoke('call', 'saveRevision', revision);
}

if (kysoDialogKind) contextBridge.exposeInMainWorld('kysoBridge', Object.freeze(kysoBridge));
