/**
 * What a remote signing account looks like in the settings page: the account forms are core's own
 * (core/remote/account-forms.ts, pure), so the page says at once what the tray app, which believes nothing the
 * page sends, checks again. Pure: no DOM, no Node.
 */
export { isValidAccount, normalizeTypedAccount as normalizeAccount } from '../../core/remote/account-forms.js';

/** A label: 1–100 characters, no control characters. */
export function isValidLabel(label: string): boolean {
  const t = label.trim();
  // eslint-disable-next-line no-control-regex
  return t.length >= 1 && t.length <= 100 && !/[\u0000-\u001f\u007f]/.test(t);
}

/** "001•••••345": enough to tell accounts apart in a list. */
export function maskAccount(account: string): string {
  if (account.length <= 6) return account;
  return `${account.slice(0, 3)}${'•'.repeat(account.length - 6)}${account.slice(-3)}`;
}
