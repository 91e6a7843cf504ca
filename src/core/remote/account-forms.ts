/**
 * What a remote signing account looks like as the user types it (CCCD, MST, phone, user name): how it is
 * normalised and which forms each provider kind takes. Pure (no Node, no DOM): the account store checks an
 * account with it when one is added, and the settings page with the same rules to say what is wrong at once.
 */
export type AccountKind = 'cccd' | 'mst' | 'phone' | 'cccd-or-mst' | 'username';

const CCCD = /^\d{12}$/; // Căn cước công dân: 12 digits.
const MST = /^\d{10}(-\d{3})?$/; // Mã số thuế: 10 digits, or 10 + "-" + 3 for a branch.

export const ACCOUNT_FORMS: Record<AccountKind, { test: (s: string) => boolean; what: string }> = {
  cccd: { test: (s) => CCCD.test(s), what: 'a CCCD of 12 digits' },
  mst: { test: (s) => MST.test(s), what: 'an MST of 10 digits (or 10-3 for a branch)' },
  phone: { test: (s) => /^0\d{9}$/.test(s), what: 'a Vietnamese mobile number of 10 digits (0…)' },
  'cccd-or-mst': { test: (s) => CCCD.test(s) || MST.test(s), what: 'a CCCD (12 digits) or an MST (10 digits)' },
  username: { test: (s) => /^[\p{L}\p{N}._@+-]{1,100}$/u.test(s), what: 'a user name' },
};

/** The account as typed, normalised: spaces and dots people type in numbers dropped, +84 → 0 for a phone. */
export function normalizeTypedAccount(kind: AccountKind, typed: string): string {
  const t = typed.normalize('NFC').trim();
  if (kind === 'username') return t;
  const digits = t.replace(/[\s.]/g, '');
  return kind === 'phone' ? digits.replace(/^\+?84(?=\d{9}$)/, '0') : digits;
}

export function isValidAccount(kind: AccountKind, typed: string): boolean {
  return ACCOUNT_FORMS[kind].test(normalizeTypedAccount(kind, typed));
}
