/**
 * What a remote signing account looks like as the user types it, for the settings page to say what is wrong at once.
 * The same forms as core/remote/providers.ts `normalizeAccount` (Node-side, which the tray app applies again: it
 * believes nothing the page sends); repeated here because the page's bundle cannot load core. Pure: no DOM, no Node.
 */
import type { RemoteAccountKind } from './protocol.js';

const PATTERNS: Record<RemoteAccountKind, RegExp> = {
  // Căn cước công dân: 12 digits.
  cccd: /^\d{12}$/,
  // Mã số thuế: 10 digits, or 13 for a branch (written 10-3).
  mst: /^\d{10}(-\d{3})?$/,
  // A Vietnamese mobile number: 0 and 9 digits, or +84 and 9.
  phone: /^0\d{9}$/,
  'cccd-or-mst': /^(\d{12}|\d{10}(-\d{3})?)$/,
  username: /^[\p{L}\p{N}._@+-]{1,100}$/u,
};

/** The account with spaces and dots people type in numbers removed. */
export function normalizeAccount(kind: RemoteAccountKind, typed: string): string {
  const t = typed.normalize('NFC').trim();
  if (kind === 'username') return t;
  const digits = t.replace(/[\s.]/g, '');
  return kind === 'phone' ? digits.replace(/^\+?84(?=\d{9}$)/, '0') : digits;
}

export function isValidAccount(kind: RemoteAccountKind, typed: string): boolean {
  return PATTERNS[kind].test(normalizeAccount(kind, typed));
}

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
