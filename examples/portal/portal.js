// The example portal's script: what a portal developer writes around the Kyso SDK (global `Kyso` from kyso.js).
'use strict';

const kyso = new Kyso.KysoClient({
  // Where a citizen downloads Kyso: the portal's own guide page.
  installUrl: 'https://example.gov.vn/huong-dan/cai-dat-kyso',
});

const $ = (id) => document.getElementById(id);
const STAGES = {
  queued: 'Đang chờ Kyso xử lý yêu cầu khác…',
  consent: 'Hãy cho phép trang này dùng chữ ký số trong cửa sổ Kyso…',
  certificate: 'Hãy chọn chứng thư số trong cửa sổ Kyso…',
  confirm: 'Hãy xác nhận ký tài liệu trong cửa sổ Kyso…',
  placement: 'Hãy chọn vị trí chữ ký trong cửa sổ Kyso…',
  pin: 'Hãy nhập mã PIN của USB token trong cửa sổ Kyso…',
  open: 'Đang đọc tài liệu…',
  prepare: 'Đang chuẩn bị chữ ký…',
  digest: 'Đang tính mã băm…',
  sign: 'USB token đang ký…',
  embed: 'Đang ghi chữ ký vào tài liệu…',
  done: 'Đã ký xong.',
};
window.kysoProgress = [];
// Chrome is about to ask for Local Network Access: say why, before the question appears.
kyso.on('permission-prompt', (m) => { $('progress').textContent = m.messageVi; });

function showError(err) {
  const box = $('error');
  box.hidden = false;
  box.textContent = '';
  box.dataset.code = err && err.code ? err.code : 'ERROR';
  box.append(err instanceof Kyso.KysoError ? err.userMessage('vi') : String(err));
  if (err && err.installUrl) {
    const a = document.createElement('a');
    a.href = err.installUrl;
    a.textContent = ' Tải Kyso';
    box.append(a);
  }
}

function clearMessages() {
  $('error').hidden = true;
  $('progress').textContent = '';
}

async function findAgent() {
  try {
    const info = await kyso.connect();
    $('agent').textContent = `Kyso ${info.version} đã sẵn sàng (${info.tokenCount} USB token).`;
    $('agent').className = 'ok';
    // wss (Kyso's local certificate) or ws: what a support page asks about first.
    $('agent').dataset.transport = kyso.secure ? 'wss' : 'ws';
  } catch (err) {
    $('agent').textContent = '';
    showError(err);
  }
}

$('load-certs').addEventListener('click', async () => {
  clearMessages();
  try {
    const certs = await kyso.listCertificates();
    const select = $('cert');
    select.length = 1;
    for (const c of certs) {
      const id = Object.entries(c.subject.identifiers).map(([k, v]) => `${k}:${v}`).join(' ');
      select.add(new Option(`${c.subject.commonName ?? '?'}${id ? ` (${id})` : ''} — ${c.issuer.commonName ?? ''}`, c.id));
    }
    $('progress').textContent = `Có ${certs.length} chứng thư số.`;
  } catch (err) {
    showError(err);
  }
});

let controller;
$('cancel').addEventListener('click', () => controller && controller.abort());

$('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearMessages();
  $('result').hidden = true;
  const file = $('file').files[0];
  if (!file) return;
  controller = new AbortController();
  $('sign').disabled = true;
  $('cancel').hidden = false;
  try {
    const signed = await kyso.signPdf(file, {
      certificateId: $('cert').value || undefined,
      reason: $('reason').value || undefined,
      signal: controller.signal,
      onProgress: (stage) => {
        window.kysoProgress.push(stage);
        $('progress').textContent = STAGES[stage] || stage;
      },
    });
    const link = $('download');
    link.href = URL.createObjectURL(signed.blob);
    link.download = signed.fileName;
    $('signer').textContent = signed.signature.signer || '';
    $('time').textContent = new Date(signed.signature.signingTime).toLocaleString('vi-VN');
    $('result').hidden = false;
  } catch (err) {
    showError(err);
  } finally {
    $('sign').disabled = false;
    $('cancel').hidden = true;
  }
});

findAgent();
