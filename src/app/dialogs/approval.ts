/**
 * The remote signing notice: open the provider's app on the phone, the short code, a countdown, Cancel. The page
 * has nothing to submit: Cancel or closing the window rejects USER_CANCELLED (the agent then stops the remote
 * operation), and the agent closes it when the wait ends.
 */
import type { ApprovalNotice } from '../../core/remote/types.js';
import type { ApprovalDialogRequest, ApprovalDialogResult, UiLanguage } from '../../ui/kit/protocol.js';
import type { DialogSpec } from '../dialog-host.js';

/** What the window shows of a notice: names and times, never the certificate or the account's CCCD/MST. */
export function approvalView(notice: ApprovalNotice, language: UiLanguage): ApprovalDialogRequest {
  const c = notice.certificate;
  return {
    provider: c.provider.name,
    app: c.provider.app,
    account: c.account.label,
    holder: c.info.subject.commonName ?? c.info.subject.organization ?? '',
    documents: notice.documents,
    approval: { index: notice.approval.index, of: notice.approval.of },
    ...(notice.code ? { code: notice.code } : {}),
    expiresAt: notice.expiresAt.toISOString(),
    language,
  };
}

export const approvalDialog: DialogSpec<ApprovalDialogRequest, ApprovalDialogResult> = {
  kind: 'approval',
  parse: () => {
    throw new Error('the approval window has no answer but Cancel');
  },
};
