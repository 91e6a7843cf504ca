/**
 * Errors a portal gets from the SDK: the agent's stable codes (data.code of the JSON-RPC error) with its
 * Vietnamese and English messages, plus the SDK's own: Kyso not installed/not running, the browser blocking
 * the loopback connection (Chrome's Local Network Access), the connection lost.
 */

export type SdkErrorCode = 'NOT_INSTALLED' | 'BLOCKED_BY_BROWSER' | 'DISCONNECTED' | 'PROTOCOL_ERROR';

const SDK_MESSAGES: Record<SdkErrorCode, [vi: string, en: string]> = {
  NOT_INSTALLED: [
    'Không kết nối được phần mềm ký số Kyso trên máy tính của bạn. Hãy cài đặt Kyso (hoặc mở Kyso nếu đã cài), cắm USB token, rồi thử lại.',
    'Could not reach the Kyso signing app on your computer. Install Kyso (or start it if it is installed), plug in your USB token, and try again.',
  ],
  BLOCKED_BY_BROWSER: [
    'Trình duyệt đã chặn trang này kết nối tới Kyso trên máy tính của bạn. Hãy bấm vào biểu tượng ổ khoá cạnh địa chỉ trang, cho phép "Truy cập mạng cục bộ" (Local network access), rồi tải lại trang.',
    'Your browser blocked this page from connecting to Kyso on your computer. Click the lock icon next to the address, allow "Local network access", then reload the page.',
  ],
  DISCONNECTED: [
    'Mất kết nối với Kyso. Hãy kiểm tra Kyso vẫn đang chạy rồi thử lại.',
    'The connection to Kyso was lost. Check that Kyso is still running and try again.',
  ],
  PROTOCOL_ERROR: [
    'Kyso trả lời không như mong đợi. Hãy cập nhật Kyso lên phiên bản mới nhất.',
    'Kyso answered unexpectedly. Update Kyso to the latest version.',
  ],
};

export class KysoError extends Error {
  override readonly name = 'KysoError';
  /** Stable code: the agent's (ORIGIN_DENIED, USER_CANCELLED, PIN_INCORRECT, …) or the SDK's (NOT_INSTALLED, …). */
  readonly code: string;
  readonly messageVi: string;
  readonly messageEn: string;
  readonly detail: string | undefined;
  /** Where to download Kyso, when the portal configured it (NOT_INSTALLED). */
  readonly installUrl: string | undefined;
  /** signBatch: which document (1 = the first) the error is about. */
  readonly document: number | undefined;

  constructor(code: string, messageVi: string, messageEn: string, options: { detail?: string; installUrl?: string; document?: number } = {}) {
    super(messageEn + (options.detail ? ` (${options.detail})` : ''));
    this.code = code;
    this.messageVi = messageVi;
    this.messageEn = messageEn;
    this.detail = options.detail;
    this.installUrl = options.installUrl;
    this.document = options.document;
  }

  /** The text to show a citizen. */
  userMessage(language: 'vi' | 'en' = 'vi'): string {
    return language === 'vi' ? this.messageVi : this.messageEn;
  }
}

export function sdkError(code: SdkErrorCode, options: { detail?: string; installUrl?: string } = {}): KysoError {
  const [vi, en] = SDK_MESSAGES[code];
  return new KysoError(code, vi, en, options);
}

export function agentError(data: { code?: unknown; messageVi?: unknown; messageEn?: unknown; detail?: unknown; document?: unknown } | undefined, fallback: string): KysoError {
  if (!data || typeof data.code !== 'string') return sdkError('PROTOCOL_ERROR', { detail: fallback });
  return new KysoError(
    data.code,
    typeof data.messageVi === 'string' ? data.messageVi : fallback,
    typeof data.messageEn === 'string' ? data.messageEn : fallback,
    {
      ...(typeof data.detail === 'string' ? { detail: data.detail } : {}),
      ...(typeof data.document === 'number' ? { document: data.document } : {}),
    },
  );
}

/** USER_CANCELLED, as the agent words it, for cancellations the page makes itself. */
export const cancelledError = (): KysoError => new KysoError('USER_CANCELLED', 'Người dùng đã huỷ thao tác.', 'The user cancelled.');
