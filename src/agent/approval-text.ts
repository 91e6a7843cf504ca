/** What an approval notice says, in Vietnamese then English: the terminal prints it, the log and windows reuse it. */
import type { ApprovalNotice } from '../core/remote/types.js';

/** "HH:MM:SS" of `at` in Vietnam time, whatever the computer's zone (the provider's deadline, read on a phone). */
function vietnamClock(at: Date): string {
  return new Date(at.getTime() + 7 * 3600_000).toISOString().slice(11, 19);
}

export function approvalLines(notice: ApprovalNotice): string[] {
  const { certificate: c, approval, documents, code, expiresAt } = notice;
  const app = c.provider.app;
  return [
    `Mở ứng dụng ${app} trên điện thoại để xác nhận / Open ${app} on your phone to confirm`,
    `${c.provider.name} — ${c.account.label}; ${documents} tài liệu / document(s)` +
      (approval.of > 1 ? `; lần ${approval.index}/${approval.of} / approval ${approval.index} of ${approval.of}` : ''),
    ...(code ? [`Mã xác nhận / code: ${code}`] : []),
    `Hết hạn lúc / expires at ${vietnamClock(expiresAt)} (GMT+7)`,
  ];
}
