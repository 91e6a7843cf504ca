/**
 * Typed errors with stable codes. Every failure that reaches a user (CLI, agent, dialogs) is a KysoError
 * whose `code` never changes between versions and whose messages exist in Vietnamese and English.
 */

export const ERROR_MESSAGES = {
  MODULE_LOAD_FAILED: ['Không nạp được trình điều khiển USB token (PKCS#11).', 'The token driver (PKCS#11 module) could not be loaded.'],
  MODULE_NOT_FOUND: ['Không tìm thấy trình điều khiển USB token nào trên máy. Hãy cài phần mềm của nhà cung cấp token.', 'No token driver was found on this computer. Install the token vendor’s software.'],
  NO_TOKEN: ['Không thấy USB token. Hãy cắm token vào máy.', 'No token found. Plug in your USB token.'],
  TOKEN_REMOVED: ['USB token đã bị rút ra trong khi đang ký.', 'The token was removed during the operation.'],
  TOKEN_ERROR: ['USB token báo lỗi.', 'The token reported an error.'],
  NO_CERTIFICATE: ['Không có chứng thư số nào dùng được để ký trên token.', 'No certificate usable for signing is on the token.'],
  CERTIFICATE_NOT_FOUND: ['Không tìm thấy chứng thư số đã chọn.', 'The selected certificate was not found.'],
  CERTIFICATE_AMBIGUOUS: ['Có nhiều chứng thư số trên token; hãy chọn một.', 'Several certificates are available; choose one.'],
  FILE_NOT_FOUND: ['Không đọc được tệp.', 'The file could not be read.'],
  OUTPUT_EXISTS: ['Tệp kết quả đã có; Kyso không ghi đè (thêm --force để thay tệp cũ).', 'The output file already exists; Kyso does not overwrite it (add --force to replace it).'],
  OUTPUT_NOT_WRITABLE: ['Không ghi được tệp kết quả vào thư mục này.', 'The output file cannot be written in this folder.'],
  KEY_NOT_FOUND: ['Không tìm thấy khoá bí mật đi kèm chứng thư số.', 'The private key for this certificate was not found.'],
  PIN_INCORRECT: ['Mã PIN không đúng.', 'Incorrect PIN.'],
  PIN_LOCKED: ['Mã PIN đã bị khoá. Hãy liên hệ nhà cung cấp chứng thư số để mở khoá.', 'The PIN is locked. Contact your certificate provider to unblock it.'],
  PIN_LEN_RANGE: ['Độ dài mã PIN không hợp lệ.', 'The PIN has an invalid length.'],
  PIN_REQUIRED: ['Cần nhập mã PIN.', 'A PIN is required.'],
  USER_CANCELLED: ['Người dùng đã huỷ thao tác.', 'The user cancelled.'],
  MECHANISM_UNSUPPORTED: ['Token không hỗ trợ thuật toán ký cần dùng.', 'The token does not support the required signing mechanism.'],
  SIGNING_FAILED: ['Ký số không thành công.', 'Signing failed.'],
  DOCUMENT_ENCRYPTED: ['Tài liệu cần mật khẩu để mở nên không thể ký.', 'The document needs a password to open and cannot be signed.'],
  DOCUMENT_SIGNING_FORBIDDEN: ['Tác giả tài liệu đã đặt quyền không cho phép ký (thêm chữ ký, chú thích hay điền biểu mẫu).', 'The document author’s permissions forbid signing it (adding signatures, comments or form fields).'],
  DOCUMENT_CORRUPT: ['Tài liệu bị hỏng hoặc không phải tệp hợp lệ.', 'The document is damaged or not a valid file.'],
  UNSUPPORTED_FORMAT: ['Định dạng tài liệu không được hỗ trợ.', 'This document format is not supported.'],
  SIGNATURE_TOO_LARGE: ['Chữ ký lớn hơn vùng dành sẵn trong tài liệu.', 'The signature is larger than the space reserved in the document.'],
  CERTIFICATE_EXPIRED: ['Chứng thư số đã hết hạn.', 'The certificate has expired.'],
  CERTIFICATE_NOT_YET_VALID: ['Chứng thư số chưa có hiệu lực.', 'The certificate is not yet valid.'],
  CERTIFICATE_REVOKED: ['Chứng thư số đã bị thu hồi.', 'The certificate has been revoked.'],
  ORIGIN_DENIED: ['Trang web này không được phép dùng chữ ký số của bạn.', 'This website is not allowed to use your digital signature.'],
  TOO_LARGE: ['Dữ liệu gửi lên quá lớn.', 'The request is too large.'],
  DOCUMENT_TOO_COMPLEX: ['Tài liệu quá phức tạp để xử lý an toàn (giải nén quá lớn, lồng nhau quá sâu hoặc quá nhiều đối tượng).', 'The document is too complex to process safely (it unpacks too large, nests too deep or has too many objects).'],
  BAD_REQUEST: ['Yêu cầu không hợp lệ.', 'The request is invalid.'],
  USAGE: ['Câu lệnh không đúng cách dùng (xem kyso --help).', 'Incorrect command usage (see kyso --help).'],
  KEYWORD_NOT_FOUND: ['Không tìm thấy cụm từ dùng để đặt chữ ký trong tài liệu.', 'The text that should position the signature was not found in the document.'],
  KEYWORD_NO_ROOM: ['Không còn chỗ trống cạnh cụm từ để đặt chữ ký mà không che chữ của tài liệu. Hãy chọn vị trí khác hoặc khung chữ ký nhỏ hơn.', 'There is no free space next to the text to place the signature without covering the document’s text. Choose another position or a smaller signature box.'],
  APPEARANCE_PRESET_INVALID: ['Tệp mẫu hình thức chữ ký (--appearance-preset) không hợp lệ.', 'The signature appearance preset file (--appearance-preset) is invalid.'],
  BUSY: ['Kyso đang bận xử lý yêu cầu khác.', 'Kyso is busy with another request.'],
  TIMEOUT: ['Hết thời gian chờ.', 'The operation timed out.'],
  TSA_UNREACHABLE: ['Không kết nối được máy chủ cấp dấu thời gian.', 'The timestamp server could not be reached.'],
  TSA_REJECTED: ['Máy chủ cấp dấu thời gian từ chối yêu cầu.', 'The timestamp server rejected the request.'],
  TSA_BAD_RESPONSE: ['Máy chủ cấp dấu thời gian trả về dữ liệu không hợp lệ.', 'The timestamp server returned an invalid response.'],
  TSA_AUTH_REQUIRED: ['Máy chủ cấp dấu thời gian yêu cầu tài khoản, hoặc tài khoản/mật khẩu không đúng.', 'The timestamp server requires an account, or the account or password is wrong.'],
  REVOCATION_UNAVAILABLE: ['Không lấy được thông tin thu hồi (OCSP/CRL) của chứng thư số để ký dài hạn (LTV).', 'Revocation data (OCSP/CRL) for the certificates could not be obtained for a long-term (LTV) signature.'],
  REMOTE_REJECTED: ['Yêu cầu ký đã bị từ chối trên ứng dụng điện thoại.', 'The signing request was declined in the phone app.'],
  REMOTE_TIMEOUT: ['Hết thời gian chờ xác nhận ký trên điện thoại.', 'The signing request was not approved on the phone in time.'],
  REMOTE_UNREACHABLE: ['Không kết nối được dịch vụ ký số từ xa.', 'The remote signing service could not be reached.'],
  REMOTE_AUTH_FAILED: ['Dịch vụ ký số từ xa không chấp nhận tài khoản này (sai tài khoản, mật khẩu hoặc phiên đã hết hạn).', 'The remote signing service did not accept this account (wrong account or password, or the session expired).'],
  INTERNAL: ['Lỗi nội bộ của Kyso.', 'Internal Kyso error.'],
} as const satisfies Record<string, readonly [vi: string, en: string]>;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export class KysoError extends Error {
  override readonly name = 'KysoError';
  readonly code: ErrorCode;
  /** Technical detail for logs and developers; never contains a PIN or document content. */
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ERROR_MESSAGES[code][1]} (${detail})` : ERROR_MESSAGES[code][1], options);
    this.code = code;
    this.detail = detail;
  }

  get messageVi(): string {
    return ERROR_MESSAGES[this.code][0];
  }

  get messageEn(): string {
    return ERROR_MESSAGES[this.code][1];
  }
}

export function isKysoError(e: unknown, code?: ErrorCode): e is KysoError {
  return e instanceof KysoError && (code === undefined || e.code === code);
}

/** Wraps anything thrown into a KysoError, keeping a KysoError as it is. */
export function toKysoError(e: unknown, fallback: ErrorCode = 'INTERNAL'): KysoError {
  if (e instanceof KysoError) return e;
  return new KysoError(fallback, e instanceof Error ? e.message : String(e), { cause: e });
}
