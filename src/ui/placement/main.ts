/**
 * The signature placement dialog: shows the PDF with pdf.js (thumbnails, page picker, zoom), lets the user
 * draw, move and resize the signature box with the mouse or the keyboard, previews the appearance live with
 * the same layout code and font as the signer, and returns the placement in PDF user space through the bridge.
 */
import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy, type PageViewport } from 'pdfjs-dist';
import { bridge, type PlacementRequest, type PlacementResult, type UiLanguage } from '../bridge.js';
import { applyLabels, t } from '../i18n.js';
import { layoutAppearance, type AppearanceContext, type Measure } from '../../core/pdf/appearance/layout.js';
import { DEFAULT_BOX, DEFAULT_FONT_SIZE, type AppearanceMode, type SignatureAppearanceOptions } from '../../core/pdf/appearance/options.js';

GlobalWorkerOptions.workerSrc = new URL('../pdfjs/pdf.worker.min.mjs', import.meta.url).href;
const pdfjsData = (dir: string): string => new URL(`../pdfjs/${dir}`, import.meta.url).href;

const FONT_FAMILY = 'Kyso DejaVu Sans';
const TEXT_COLOR = 'rgb(13, 38, 140)'; // = stream.ts TEXT_RGB
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const MIN_BOX = 12; // points

type Rect = [number, number, number, number];
type ShowKey = keyof NonNullable<SignatureAppearanceOptions['show']>;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

interface State {
  lang: UiLanguage;
  request: PlacementRequest;
  pdf: PDFDocumentProxy;
  pageIndex: number;
  scale: number;
  viewport?: PageViewport;
  /** The box in the current page's user space (PDF points), or none yet. */
  rect?: Rect;
  appearance: SignatureAppearanceOptions;
  allPages: boolean;
  image?: { element: HTMLImageElement; width: number; height: number };
  renderTask?: { cancel(): void; promise: Promise<unknown> };
  done: boolean;
}

let state: State;

// ---- text measuring and live preview (same layout as the signer, same font) ----------------------------

const measureCanvas = document.createElement('canvas').getContext('2d')!;
const measure: Measure = (text, size, bold) => {
  measureCanvas.font = `${bold ? 'bold ' : ''}${size}px "${FONT_FAMILY}"`;
  return measureCanvas.measureText(text).width;
};

async function loadFonts(): Promise<void> {
  const faces = [
    new FontFace(FONT_FAMILY, `url(${new URL('../fonts/DejaVuSans.ttf', import.meta.url).href})`, { weight: 'normal' }),
    new FontFace(FONT_FAMILY, `url(${new URL('../fonts/DejaVuSans-Bold.ttf', import.meta.url).href})`, { weight: 'bold' }),
  ];
  await Promise.all(faces.map(async (f) => { document.fonts.add(await f.load()); }));
}

function context(): AppearanceContext {
  const r = state.request;
  return { signer: r.signer, signingTime: new Date(), ...(r.reason ? { reason: r.reason } : {}), ...(r.location ? { location: r.location } : {}) };
}

function drawPreview(cssWidth: number, cssHeight: number): void {
  const canvas = $<HTMLCanvasElement>('preview');
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(cssWidth * dpr));
  canvas.height = Math.max(1, Math.round(cssHeight * dpr));
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const k = state.scale * dpr; // canvas pixels per point
  const width = cssWidth / state.scale;
  const height = cssHeight / state.scale;
  const appearance = effectiveAppearance();
  const layout = layoutAppearance(appearance, context(), { width, height }, measure, state.image);
  ctx.save();
  ctx.scale(k, k);
  if (appearance.border) {
    ctx.strokeStyle = TEXT_COLOR;
    ctx.lineWidth = 0.75;
    ctx.strokeRect(0.375, 0.375, width - 0.75, height - 0.75);
  }
  if (layout.image && state.image) {
    const i = layout.image;
    ctx.drawImage(state.image.element, i.x, height - i.y - i.height, i.width, i.height);
  }
  ctx.fillStyle = TEXT_COLOR;
  ctx.font = `${layout.bold ? 'bold ' : ''}${layout.fontSize}px "${FONT_FAMILY}"`;
  ctx.textBaseline = 'alphabetic';
  for (const line of layout.lines) ctx.fillText(line.text, line.x, height - line.y);
  ctx.restore();
  $('box').dataset.fontSize = String(layout.fontSize);
  $('box').dataset.lines = String(layout.lines.length);
}

// ---- geometry: the box in CSS pixels of the rendered page <-> user space ------------------------------

function toCss(rect: Rect): Rect {
  const v = state.viewport!;
  const [a, b, c, d] = v.convertToViewportRectangle(rect);
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

function toUser(css: Rect): Rect {
  const v = state.viewport!;
  const [a, b] = v.convertToPdfPoint(css[0], css[1]);
  const [c, d] = v.convertToPdfPoint(css[2], css[3]);
  const r = (n: number): number => Math.round(n * 100) / 100;
  return [r(Math.min(a, c)), r(Math.min(b, d)), r(Math.max(a, c)), r(Math.max(b, d))];
}

/** Keeps a CSS box inside the page and at least MIN_BOX points in each direction. */
function clampCss(box: Rect, mode: 'move' | 'resize'): Rect {
  const v = state.viewport!;
  let [x1, y1, x2, y2] = box;
  const min = MIN_BOX * state.scale;
  if (mode === 'move') {
    const w = Math.min(x2 - x1, v.width);
    const h = Math.min(y2 - y1, v.height);
    x1 = Math.min(Math.max(0, x1), v.width - w);
    y1 = Math.min(Math.max(0, y1), v.height - h);
    return [x1, y1, x1 + w, y1 + h];
  }
  x1 = Math.max(0, x1); y1 = Math.max(0, y1); x2 = Math.min(v.width, x2); y2 = Math.min(v.height, y2);
  if (x2 - x1 < min) x2 = Math.min(v.width, x1 + min);
  if (y2 - y1 < min) y2 = Math.min(v.height, y1 + min);
  return [x1, y1, x2, y2];
}

function showBox(): void {
  const box = $('box');
  if (!state.rect || !state.viewport) { box.hidden = true; return; }
  const [x1, y1, x2, y2] = toCss(state.rect);
  Object.assign(box.style, { left: `${x1}px`, top: `${y1}px`, width: `${x2 - x1}px`, height: `${y2 - y1}px` });
  box.hidden = false;
  box.dataset.rect = JSON.stringify(state.rect);
  drawPreview(x2 - x1, y2 - y1);
  $('status').textContent = '';
}

function setCssBox(css: Rect, mode: 'move' | 'resize'): void {
  state.rect = toUser(clampCss(css, mode));
  showBox();
}

// ---- pages ------------------------------------------------------------------------------------------------

async function renderPage(): Promise<void> {
  state.renderTask?.cancel();
  const page = await state.pdf.getPage(state.pageIndex + 1);
  const viewport = page.getViewport({ scale: state.scale });
  const dpr = window.devicePixelRatio || 1;
  const canvas = $<HTMLCanvasElement>('page-canvas');
  canvas.width = Math.round(viewport.width * dpr);
  canvas.height = Math.round(viewport.height * dpr);
  canvas.style.width = `${viewport.width}px`;
  canvas.style.height = `${viewport.height}px`;
  const pageEl = $('page');
  pageEl.style.width = `${viewport.width}px`;
  pageEl.style.height = `${viewport.height}px`;
  pageEl.dataset.pageIndex = String(state.pageIndex);
  pageEl.dataset.scale = String(state.scale);
  state.viewport = viewport;
  const task = page.render({ canvas, canvasContext: canvas.getContext('2d')!, viewport, transform: dpr === 1 ? undefined : [dpr, 0, 0, dpr, 0, 0] });
  state.renderTask = task;
  showBox();
  try {
    await task.promise;
    pageEl.dataset.rendered = String(state.pageIndex);
  } catch (e) {
    if ((e as Error)?.name !== 'RenderingCancelledException') throw e;
  }
}

async function goTo(index: number): Promise<void> {
  const i = Math.min(Math.max(0, index), state.pdf.numPages - 1);
  if (i !== state.pageIndex && state.rect) {
    // The box follows the user to the page they pick, at the same place as displayed (clamped to that page).
    const css = toCss(state.rect);
    state.pageIndex = i;
    await renderPage();
    setCssBox(css, 'move');
  } else {
    state.pageIndex = i;
    await renderPage();
  }
  $<HTMLInputElement>('page-number').value = String(i + 1);
  document.querySelectorAll<HTMLElement>('#thumbs button').forEach((b, n) => {
    if (n === i) { b.setAttribute('aria-current', 'page'); b.scrollIntoView({ block: 'nearest' }); } else b.removeAttribute('aria-current');
  });
}

async function setZoom(scale: number): Promise<void> {
  state.scale = scale;
  $('zoom').textContent = `${Math.round(scale * 100)}%`;
  await renderPage();
}

async function fitWidth(): Promise<void> {
  const page = await state.pdf.getPage(state.pageIndex + 1);
  const width = page.getViewport({ scale: 1 }).width;
  const available = $('scroller').clientWidth - 24;
  await setZoom(Math.max(0.25, Math.min(3, available / width)));
}

/** The whole page on screen: where a signature usually goes (the bottom) is visible without scrolling. */
async function fitPage(): Promise<void> {
  const page = await state.pdf.getPage(state.pageIndex + 1);
  const { width, height } = page.getViewport({ scale: 1 });
  const scroller = $('scroller');
  await setZoom(Math.max(0.25, Math.min(3, (scroller.clientWidth - 24) / width, (scroller.clientHeight - 24) / height)));
}

async function renderThumbnails(): Promise<void> {
  const nav = $('thumbs');
  const count = Math.min(state.pdf.numPages, 200);
  for (let i = 0; i < count; i++) {
    const button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('aria-label', t(state.lang, 'pageOf', { n: i + 1, total: state.pdf.numPages }));
    const canvas = document.createElement('canvas');
    button.append(canvas, String(i + 1));
    button.addEventListener('click', () => { void goTo(i); });
    nav.append(button);
  }
  for (let i = 0; i < count; i++) {
    const page = await state.pdf.getPage(i + 1);
    const viewport = page.getViewport({ scale: 96 / page.getViewport({ scale: 1 }).width });
    const canvas = nav.children[i]!.querySelector('canvas')!;
    canvas.width = Math.round(viewport.width);
    canvas.height = Math.round(viewport.height);
    await page.render({ canvas, canvasContext: canvas.getContext('2d')!, viewport }).promise;
  }
  nav.dataset.ready = 'true';
}

// ---- pointer: draw, move, resize ---------------------------------------------------------------------------

function pointerInPage(e: PointerEvent): [number, number] {
  const r = $('page').getBoundingClientRect();
  return [e.clientX - r.left, e.clientY - r.top];
}

function installPointer(): void {
  const pageEl = $('page');
  pageEl.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || !state.viewport) return;
    e.preventDefault();
    const [px, py] = pointerInPage(e);
    const handle = (e.target as HTMLElement).dataset.handle;
    const onBox = (e.target as HTMLElement).closest('#box') !== null;
    const start = state.rect ? toCss(state.rect) : undefined;
    let mode: 'draw' | 'move' | 'resize' = 'draw';
    if (handle && start) mode = 'resize';
    else if (onBox && start) mode = 'move';
    pageEl.setPointerCapture(e.pointerId);
    let moved = false;
    const onMove = (ev: PointerEvent): void => {
      const [x, y] = pointerInPage(ev);
      const dx = x - px;
      const dy = y - py;
      if (Math.abs(dx) + Math.abs(dy) > 2) moved = true;
      if (!moved) return;
      if (mode === 'draw') setCssBox([Math.min(px, x), Math.min(py, y), Math.max(px, x), Math.max(py, y)], 'resize');
      else if (mode === 'move') setCssBox([start![0] + dx, start![1] + dy, start![2] + dx, start![3] + dy], 'move');
      else {
        const b: Rect = [...start!];
        if (handle!.includes('w')) b[0] = Math.min(start![2] - 1, start![0] + dx);
        if (handle!.includes('e')) b[2] = Math.max(start![0] + 1, start![2] + dx);
        if (handle!.includes('n')) b[1] = Math.min(start![3] - 1, start![1] + dy);
        if (handle!.includes('s')) b[3] = Math.max(start![1] + 1, start![3] + dy);
        setCssBox(b, 'resize');
      }
    };
    const onUp = (): void => {
      pageEl.removeEventListener('pointermove', onMove);
      pageEl.removeEventListener('pointerup', onUp);
      pageEl.removeEventListener('pointercancel', onUp);
      if (mode === 'draw' && !moved) {
        // A click places a default-size box centred on the pointer.
        const w = DEFAULT_BOX.width * state.scale;
        const h = DEFAULT_BOX.height * state.scale;
        setCssBox([px - w / 2, py - h / 2, px + w / 2, py + h / 2], 'move');
      }
      $('box').focus();
    };
    pageEl.addEventListener('pointermove', onMove);
    pageEl.addEventListener('pointerup', onUp);
    pageEl.addEventListener('pointercancel', onUp);
  });
}

/** Without a mouse: a default-size box in the lower right of the page, focused for the arrow keys. */
function placeDefaultBox(): void {
  if (!state.viewport) return;
  const v = state.viewport;
  const margin = 36 * state.scale;
  const w = Math.min(DEFAULT_BOX.width * state.scale, v.width - 2 * margin);
  const h = Math.min(DEFAULT_BOX.height * state.scale, v.height - 2 * margin);
  setCssBox([v.width - margin - w, v.height - margin - h, v.width - margin, v.height - margin], 'move');
  $('box').scrollIntoView({ block: 'nearest' });
  $('box').focus();
}

// ---- keyboard ----------------------------------------------------------------------------------------------

function installKeyboard(): void {
  $('box').addEventListener('keydown', (e) => {
    const step = (e.shiftKey ? 10 : 1) * state.scale;
    const delta: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const d = delta[e.key];
    if (!d || !state.rect) return;
    e.preventDefault();
    const b = toCss(state.rect);
    if (e.altKey) setCssBox([b[0], b[1], b[2] + d[0], b[3] + d[1]], 'resize');
    else setCssBox([b[0] + d[0], b[1] + d[1], b[2] + d[0], b[3] + d[1]], 'move');
  });
  document.addEventListener('keydown', (e) => {
    const typing = (e.target as HTMLElement).closest('input, textarea, select') !== null;
    if (e.key === 'Escape') { e.preventDefault(); void cancel(); } else if (e.key === 'Enter' && !typing && !(e.target as HTMLElement).closest('button')) {
      e.preventDefault();
      void confirm();
    } else if (!typing && e.key === 'PageDown') { e.preventDefault(); void goTo(state.pageIndex + 1); } else if (!typing && e.key === 'PageUp') {
      e.preventDefault();
      void goTo(state.pageIndex - 1);
    }
  });
}

// ---- options panel -----------------------------------------------------------------------------------------

const SHOW_DEFAULTS: Record<ShowKey, boolean> = {
  signer: true, organization: true, organizationalUnit: false, title: false, email: false, time: true, reason: true, location: true, contact: false,
};

function effectiveAppearance(): SignatureAppearanceOptions {
  const a = state.appearance;
  const mode: AppearanceMode = a.mode ?? (a.image ? 'image-text' : 'text');
  return { ...a, mode };
}

function readOptions(): void {
  // Lines without a checkbox here (contact) keep what the page asked.
  const show: NonNullable<SignatureAppearanceOptions['show']> = { ...state.appearance.show };
  document.querySelectorAll<HTMLInputElement>('[data-show]').forEach((el) => { show[el.dataset.show as ShowKey] = el.checked; });
  const size = Number($<HTMLInputElement>('font-size').value);
  const text = $<HTMLTextAreaElement>('text').value;
  state.appearance = {
    ...state.appearance,
    show,
    mode: $<HTMLSelectElement>('mode').value as AppearanceMode,
    fontSize: Number.isFinite(size) && size >= 4 && size <= 24 ? size : DEFAULT_FONT_SIZE,
    bold: $<HTMLInputElement>('bold').checked,
    upperCase: $<HTMLInputElement>('upper').checked,
    border: $<HTMLInputElement>('border').checked,
    ...(text.trim() ? { text } : { text: undefined }),
  };
  state.allPages = document.querySelector<HTMLInputElement>('input[name="pages"][value="all"]')!.checked;
  showBox();
}

function writeOptions(): void {
  const a = state.appearance;
  document.querySelectorAll<HTMLInputElement>('[data-show]').forEach((el) => {
    const key = el.dataset.show as ShowKey;
    el.checked = a.show?.[key] ?? SHOW_DEFAULTS[key];
  });
  document.querySelectorAll<HTMLElement>('[data-needs]').forEach((el) => { el.hidden = !state.request[el.dataset.needs as 'reason' | 'location']; });
  $<HTMLSelectElement>('mode').value = effectiveAppearance().mode!;
  $<HTMLInputElement>('font-size').value = String(a.fontSize ?? DEFAULT_FONT_SIZE);
  $<HTMLInputElement>('bold').checked = a.bold ?? false;
  $<HTMLInputElement>('upper').checked = a.upperCase ?? false;
  $<HTMLInputElement>('border').checked = a.border ?? false;
  $<HTMLTextAreaElement>('text').value = a.text ?? '';
  document.querySelector<HTMLInputElement>(`input[name="pages"][value="${state.allPages ? 'all' : 'one'}"]`)!.checked = true;
  $('remove-image').hidden = !a.image;
}

async function loadImage(base64: string): Promise<void> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!isPng && !isJpeg) throw new Error('not PNG/JPEG');
  const element = new Image();
  element.src = `data:image/${isPng ? 'png' : 'jpeg'};base64,${base64}`;
  await element.decode();
  state.image = { element, width: element.naturalWidth, height: element.naturalHeight };
}

function installOptions(): void {
  $('options').addEventListener('input', (e) => { if ((e.target as HTMLElement).id !== 'image') readOptions(); });
  $('options').addEventListener('change', (e) => { if ((e.target as HTMLElement).id !== 'image') readOptions(); });
  $<HTMLInputElement>('image').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const buf = new Uint8Array(await file.arrayBuffer());
    let s = '';
    for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    const base64 = btoa(s);
    try {
      await loadImage(base64);
      $('image-error').hidden = true;
      state.appearance = { ...state.appearance, image: base64, mode: 'image-text' };
      writeOptions();
      readOptions();
    } catch {
      $('image-error').hidden = false;
    }
  });
  $('remove-image').addEventListener('click', () => {
    const { image: _drop, ...rest } = state.appearance;
    void _drop;
    state.appearance = { ...rest, mode: 'text' };
    delete state.image;
    $<HTMLInputElement>('image').value = '';
    writeOptions();
    readOptions();
  });
}

// ---- result --------------------------------------------------------------------------------------------------

function result(): PlacementResult | undefined {
  if (!state.rect) return undefined;
  const appearance = effectiveAppearance();
  if (!appearance.text) delete appearance.text;
  return {
    placement: state.allPages ? { pages: 'all', rect: state.rect } : { page: state.pageIndex + 1, rect: state.rect },
    appearance,
  };
}

async function confirm(): Promise<void> {
  if (state.done) return;
  const r = result();
  if (!r) {
    $('status').textContent = t(state.lang, 'noBox');
    return;
  }
  state.done = true;
  await bridge().submit(r);
}

async function cancel(): Promise<void> {
  if (state.done) return;
  state.done = true;
  await bridge().cancel();
}

function setLanguage(lang: UiLanguage): void {
  state.lang = lang;
  applyLabels(document, lang);
  const r = state.request;
  const file = r.fileName ?? '';
  $('request').textContent = r.origin ? t(lang, 'originAsks', { origin: r.origin, file }) : file ? t(lang, 'fileAsks', { file }) : '';
  // The labels drawn on the document keep their own language (appearance.language, Vietnamese by default).
  showBox();
}

async function main(): Promise<void> {
  const request = await bridge().init();
  const lang: UiLanguage = request.language ?? (new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'vi');
  applyLabels(document, lang);
  $('status').textContent = t(lang, 'loading');
  const [, pdf] = await Promise.all([
    loadFonts(),
    getDocument({
      data: Uint8Array.from(atob(request.document), (c) => c.charCodeAt(0)),
      isEvalSupported: false,
      cMapUrl: pdfjsData('cmaps/'),
      standardFontDataUrl: pdfjsData('standard_fonts/'),
      wasmUrl: pdfjsData('wasm/'),
      iccUrl: pdfjsData('iccs/'),
    }).promise,
  ]);
  const defaults = request.defaults ?? {};
  const startPage = defaults.placement && 'page' in defaults.placement ? Math.min(pdf.numPages, Math.max(1, defaults.placement.page)) - 1 : 0;
  state = {
    lang, request, pdf, pageIndex: startPage, scale: 1,
    appearance: { ...(defaults.appearance ?? {}) },
    allPages: defaults.placement !== undefined && 'pages' in defaults.placement && defaults.placement.pages === 'all',
    done: false,
  };
  if (state.appearance.image) await loadImage(state.appearance.image).catch(() => { delete state.appearance.image; });
  setLanguage(lang);
  writeOptions();
  $('page-count').textContent = String(pdf.numPages);
  $<HTMLInputElement>('page-number').max = String(pdf.numPages);
  installPointer();
  installKeyboard();
  installOptions();
  $('prev').addEventListener('click', () => { void goTo(state.pageIndex - 1); });
  $('next').addEventListener('click', () => { void goTo(state.pageIndex + 1); });
  $<HTMLInputElement>('page-number').addEventListener('change', (e) => { void goTo(Number((e.target as HTMLInputElement).value) - 1); });
  $('zoom-in').addEventListener('click', () => { void setZoom(ZOOMS.find((z) => z > state.scale + 1e-6) ?? state.scale); });
  $('zoom-out').addEventListener('click', () => { void setZoom([...ZOOMS].reverse().find((z) => z < state.scale - 1e-6) ?? state.scale); });
  $('fit').addEventListener('click', () => { void fitWidth(); });
  $('place').addEventListener('click', placeDefaultBox);
  $('confirm').addEventListener('click', () => { void confirm(); });
  $('cancel').addEventListener('click', () => { void cancel(); });
  $('language').addEventListener('click', () => { setLanguage(state.lang === 'vi' ? 'en' : 'vi'); });
  state.pageIndex = startPage;
  await fitPage();
  await goTo(startPage);
  if (defaults.placement) {
    state.rect = defaults.placement.rect;
    showBox();
    $('box').scrollIntoView({ block: 'nearest' });
  }
  $('status').textContent = '';
  document.body.dataset.ready = 'true';
  void renderThumbnails();
}

main().catch((e: unknown) => {
  console.error(e);
  $('status').textContent = `${t(state?.lang ?? 'vi', 'loadFailed')} (${(e as Error)?.message ?? e})`;
  document.body.dataset.error = String((e as Error)?.message ?? e);
});
