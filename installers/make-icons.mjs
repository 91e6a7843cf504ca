// Draws Kyso's icons (no font needed): the app icon for the installers (installers/icons/icon.png, 1024 px,
// from which electron-builder makes the .ico and .icns; installers/icons/linux/<n>x<n>.png for Linux) and the
// tray icons (assets/tray/<state>.png + @2x, and app.png for window icons).
// Usage: node installers/make-icons.mjs   (needs the dev dependency @napi-rs/canvas)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas } from '@napi-rs/canvas';

const root = fileURLToPath(new URL('../', import.meta.url));
const BLUE = '#1a56db';
const DARK = '#123c9c';
const STATES = { idle: null, token: '#16a34a', waiting: '#f59e0b', error: '#dc2626' };

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/** The mark on a unit square: blue rounded tile, a white K, a signature stroke under it. */
function drawMark(ctx, size, { stroke = true } = {}) {
  const s = size;
  const g = ctx.createLinearGradient(0, 0, s, s);
  g.addColorStop(0, BLUE);
  g.addColorStop(1, DARK);
  ctx.fillStyle = g;
  roundRect(ctx, 0, 0, s, s, s * 0.22);
  ctx.fill();
  ctx.fillStyle = '#fff';
  const u = s / 16;
  // K: stem and two arms.
  ctx.fillRect(4 * u, 3 * u, 2.4 * u, 8.6 * u);
  ctx.beginPath();
  ctx.moveTo(6.2 * u, 7.9 * u); ctx.lineTo(10.6 * u, 3 * u); ctx.lineTo(13.4 * u, 3 * u); ctx.lineTo(8.4 * u, 8.3 * u);
  ctx.closePath(); ctx.fill();
  ctx.beginPath();
  ctx.moveTo(7.2 * u, 7.3 * u); ctx.lineTo(13.4 * u, 11.6 * u); ctx.lineTo(10.5 * u, 11.6 * u); ctx.lineTo(6.2 * u, 8.6 * u);
  ctx.closePath(); ctx.fill();
  if (stroke) {
    // Signature stroke.
    ctx.strokeStyle = '#bcd3ff';
    ctx.lineWidth = Math.max(1, 0.9 * u);
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(3.4 * u, 13.6 * u);
    ctx.bezierCurveTo(5.5 * u, 11.8 * u, 6.5 * u, 15 * u, 8.4 * u, 13.2 * u);
    ctx.bezierCurveTo(9.6 * u, 12.2 * u, 10.6 * u, 14.6 * u, 12.6 * u, 13.2 * u);
    ctx.stroke();
  }
}

function png(size, draw) {
  const c = createCanvas(size, size);
  draw(c.getContext('2d'), size);
  return c.toBuffer('image/png');
}

function write(file, data) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  console.log(path.relative(root, file));
}

// Installer icons.
write(path.join(root, 'installers/icons/icon.png'), png(1024, (ctx, s) => drawMark(ctx, s)));
for (const n of [16, 32, 48, 64, 128, 256, 512]) {
  write(path.join(root, `installers/icons/linux/${n}x${n}.png`), png(n, (ctx, s) => drawMark(ctx, s, { stroke: n >= 48 })));
}

// Tray icons: the mark with a status dot (green: token plugged in; orange: a request waits; red: error).
for (const [state, color] of Object.entries(STATES)) {
  for (const [suffix, n] of [['', 16], ['@2x', 32]]) {
    write(path.join(root, `assets/tray/${state}${suffix}.png`), png(n, (ctx, s) => {
      drawMark(ctx, s, { stroke: false });
      if (color) {
        const r = s * 0.26;
        ctx.fillStyle = '#fff';
        ctx.beginPath(); ctx.arc(s - r, s - r, r, 0, Math.PI * 2); ctx.fill();
        ctx.fillStyle = color;
        ctx.beginPath(); ctx.arc(s - r, s - r, r * 0.72, 0, Math.PI * 2); ctx.fill();
      }
    }));
  }
}
write(path.join(root, 'assets/tray/app.png'), png(256, (ctx, s) => drawMark(ctx, s)));
