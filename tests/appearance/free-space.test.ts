/**
 * The free-space search behind keyword placement (issue 17 item 3): pure geometry, displayed coordinates
 * (y down). Checked on hand-made layouts and against a brute-force scan of random pages; and the rules and
 * marks read from a pdf.js operator list.
 */
import { describe, expect, it } from 'vitest';
import { findFreeSpace, sideOrder, type FreeSpaceRequest, type Side } from '../../src/core/pdf/placement/free-space.js';
import type { Rect } from '../../src/core/pdf/placement/geometry.js';
import { pathMarks } from '../../src/core/pdf/placement/rules.js';

const PAGE: Rect = [8, 8, 587, 834]; // A4 less an 8 pt margin
const SIZE = { width: 180, height: 60 };
/** "CÁ NHÂN LÀM ĐƠN" in a signer block on the right half of the page. */
const KEYWORD: Rect = [340, 500, 460, 514];

const overlaps = (a: Rect, b: Rect): boolean => a[0] < b[2] - 1e-6 && a[2] > b[0] + 1e-6 && a[1] < b[3] - 1e-6 && a[3] > b[1] + 1e-6;
const inside = (a: Rect, b: Rect): boolean => a[0] >= b[0] - 1e-6 && a[1] >= b[1] - 1e-6 && a[2] <= b[2] + 1e-6 && a[3] <= b[3] + 1e-6;
const request = (obstacles: Rect[], extra: Partial<FreeSpaceRequest> = {}): FreeSpaceRequest => ({
  keyword: KEYWORD, size: SIZE, position: 'below', obstacles: [KEYWORD, ...obstacles], bounds: PAGE, ...extra,
});

describe('findFreeSpace', () => {
  it('puts the box right under the keyword when that is free', () => {
    expect(findFreeSpace(request([]))).toEqual({ rect: [340, 516, 520, 576], side: 'below', scale: 1 });
  });

  it('steps past "(Ký, ghi rõ họ và tên)" printed right under the keyword (the issue\'s case)', () => {
    const hint: Rect = [345, 518, 455, 531];
    const free = findFreeSpace(request([hint]))!;
    expect(free.side).toBe('below');
    expect(free.rect).toEqual([340, 533, 520, 593]); // 2 pt under the hint line, same left edge
    expect(overlaps(free.rect, hint)).toBe(false);
  });

  it('slides sideways under the keyword when that is nearer than going down', () => {
    // A short stamp under the keyword's left end only: the box moves right, still under the keyword.
    const stamp: Rect = [300, 516, 350, 600];
    const free = findFreeSpace(request([stamp]))!;
    expect(free.side).toBe('below');
    expect(free.rect[0]).toBe(352);
    expect(free.rect[1]).toBe(516);
  });

  it('goes right when the page below is full, then above when the right is full too', () => {
    const keyword: Rect = [100, 500, 220, 514];
    const below: Rect[] = Array.from({ length: 27 }, (_, i): Rect => [40, 520 + i * 12, 560, 530 + i * 12]);
    const base = { keyword, size: SIZE, position: 'below' as const, bounds: PAGE };
    // Right of the keyword, raised just enough to clear the first line below (518 with its clearance).
    expect(findFreeSpace({ ...base, obstacles: [keyword, ...below] })).toEqual({ rect: [222, 458, 402, 518], side: 'right', scale: 1 });
    const rightText: Rect = [300, 440, 587, 520];
    expect(findFreeSpace({ ...base, obstacles: [keyword, ...below, rightText] })).toEqual({ rect: [100, 438, 280, 498], side: 'above', scale: 1 });
  });

  it('tries the requested side first, then below, right, above', () => {
    expect(sideOrder('below')).toEqual(['below', 'right', 'above']);
    expect(sideOrder('right')).toEqual(['right', 'below', 'above']);
    expect(sideOrder('above')).toEqual(['above', 'below', 'right']);
    expect(sideOrder('left')).toEqual(['left', 'below', 'right', 'above']);
    expect(findFreeSpace(request([], { position: 'above' }))).toEqual({ rect: [340, 438, 520, 498], side: 'above', scale: 1 });
    const keyword: Rect = [100, 500, 220, 514];
    expect(findFreeSpace({ keyword, size: SIZE, position: 'right', obstacles: [keyword], bounds: PAGE })).toEqual({ rect: [222, 477, 402, 537], side: 'right', scale: 1 });
    // Too close to the page's right edge for a box on the right: below instead.
    expect(findFreeSpace(request([], { position: 'right' }))!.side).toBe('below');
  });

  it('shrinks, keeping the aspect, down to 60 % when no full-size box fits anywhere', () => {
    // Lines every 50 pt all over the page: gaps of 48 pt less 2 pt clearance each side leave 44 pt.
    const lines: Rect[] = Array.from({ length: 17 }, (_, i): Rect => [8, i * 50, 587, i * 50 + 2]).filter((r) => !overlaps(r, [330, 490, 470, 524]));
    const free = findFreeSpace(request(lines))!;
    expect(free.scale).toBe(0.7); // 42 pt high: the largest step that fits 44 pt
    expect(free.rect[2] - free.rect[0]).toBeCloseTo(126, 6);
    expect(free.rect[3] - free.rect[1]).toBeCloseTo(42, 6);
    for (const l of lines) expect(overlaps(free.rect, [l[0] - 2, l[1] - 2, l[2] + 2, l[3] + 2])).toBe(false);
  });

  it('gives up (undefined) when even a 60 % box has no room', () => {
    const dense: Rect[] = Array.from({ length: 40 }, (_, i): Rect => [8, 8 + i * 21, 587, 8 + i * 21 + 14]);
    expect(findFreeSpace({ ...request(dense), obstacles: dense })).toBeUndefined();
    // Nor when the page itself is smaller than 60 % of the box.
    expect(findFreeSpace(request([], { bounds: [8, 8, 100, 100] }))).toBeUndefined();
  });

  it('keeps inside the bounds: a keyword at the page foot gets its box above or right, not off the page', () => {
    const foot: Rect = [40, 800, 200, 814];
    const free = findFreeSpace({ keyword: foot, size: SIZE, position: 'below', obstacles: [foot], bounds: PAGE })!;
    expect(free.side).toBe('right');
    expect(inside(free.rect, PAGE)).toBe(true);
  });

  it('applies an offset to the preferred spot and still avoids the text', () => {
    const hint: Rect = [345, 518, 455, 531];
    const free = findFreeSpace(request([hint], { offset: { x: -40, y: 20 } }))!;
    expect(free.rect[0]).toBe(300);
    expect(free.rect[1]).toBeGreaterThanOrEqual(533);
  });

  it('copes with a page of vector drawing (tens of thousands of marks) and finds the one hole in it', () => {
    const hole: Rect = [300, 400, 500, 480];
    const keyword: Rect = [150, 420, 270, 434];
    const marks: Rect[] = [];
    for (let x = 8; x < 585; x += 4) {
      for (let y = 8; y < 832; y += 4) {
        const m: Rect = [x, y, x + 1, y + 1];
        if (!overlaps(m, [hole[0] - 3, hole[1] - 3, hole[2] + 3, hole[3] + 3]) && !overlaps(m, [146, 416, 274, 438])) marks.push(m);
      }
    }
    expect(marks.length).toBeGreaterThan(25_000);
    const free = findFreeSpace({ keyword, size: { width: 150, height: 50 }, position: 'below', obstacles: [keyword, ...marks], bounds: PAGE });
    expect(free?.side).toBe('right');
    expect(inside(free!.rect, [hole[0] - 3, hole[1] - 3, hole[2] + 3, hole[3] + 3])).toBe(true);
  });

  it('on random pages: never overlaps, stays inside, is the nearest spot on its side, and no earlier side had one', () => {
    let seed = 17;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 40; trial++) {
      const obstacles: Rect[] = Array.from({ length: 10 + Math.floor(rnd() * 60) }, (): Rect => {
        const x = 8 + rnd() * 560, y = 8 + rnd() * 800;
        return [x, y, x + 10 + rnd() * 200, y + 8 + rnd() * 12];
      });
      const kx = 20 + rnd() * 400, ky = 20 + rnd() * 780;
      const keyword: Rect = [kx, ky, kx + 120, ky + 14];
      const position = (['below', 'right', 'above'] as Side[])[trial % 3]!;
      const req: FreeSpaceRequest = { keyword, size: SIZE, position, obstacles: [keyword, ...obstacles.filter((o) => !overlaps(o, keyword))], bounds: PAGE };
      const free = findFreeSpace(req);
      const inflated = req.obstacles.map((o): Rect => [o[0] - 2, o[1] - 2, o[2] + 2, o[3] + 2]);
      if (free) {
        expect(inside(free.rect, PAGE)).toBe(true);
        for (const o of inflated) expect(overlaps(free.rect, o)).toBe(false);
        // And no free spot on its side is nearer to the preferred corner (1 pt grid, so up to ~1.5 pt of slack).
        if (free.scale === 1) {
          const found = Math.hypot(free.rect[0] - preferred(req, free.side)[0], free.rect[1] - preferred(req, free.side)[1]);
          expect(nearestOnGrid(req, free.side, inflated), `trial ${trial}`).toBeGreaterThan(found - 1.5);
        }
      }
      // Brute force on a 1 pt grid: a side tried before the chosen one (at full size) has no free spot.
      const earlier = free && free.scale === 1 ? sideOrder(position).slice(0, sideOrder(position).indexOf(free.side)) : sideOrder(position);
      for (const side of earlier) expect(gridFree(req, side, inflated), `trial ${trial} ${side}`).toBe(false);
    }
  });
});

/** Where the box's top-left corner is wanted on a side: against the keyword, 2 pt (the clearance) away. */
function preferred(req: FreeSpaceRequest, side: Side): [number, number] {
  const [kx1, ky1, kx2, ky2] = req.keyword;
  const { height: h } = req.size;
  return side === 'below' ? [kx1, ky2 + 2] : side === 'above' ? [kx1, ky1 - 2 - h] : [kx2 + 2, (ky1 + ky2) / 2 - h / 2];
}

/** Any free full-size spot on a side, scanning every point (slow, obviously right). */
function gridFree(req: FreeSpaceRequest, side: Side, inflated: Rect[]): boolean {
  return nearestOnGrid(req, side, inflated) < Infinity;
}

/** Distance from the preferred corner to the nearest free full-size spot on a side, on a 1 pt grid. */
function nearestOnGrid(req: FreeSpaceRequest, side: Side, inflated: Rect[]): number {
  const [px, py] = preferred(req, side);
  let best = Infinity;
  const { width: w, height: h } = req.size;
  const [kx1, ky1, kx2, ky2] = req.keyword;
  for (let x = Math.ceil(PAGE[0]); x + w <= PAGE[2]; x++) {
    for (let y = Math.ceil(PAGE[1]); y + h <= PAGE[3]; y++) {
      const onSide = side === 'below' ? y >= ky2 && x + w > kx1 && x < kx2
        : side === 'above' ? y + h <= ky1 && x + w > kx1 && x < kx2
          : x >= kx2 && y + h > ky1 && y < ky2;
      if (onSide && Math.hypot(x - px, y - py) < best && !inflated.some((o) => overlaps([x, y, x + w, y + h], o))) best = Math.hypot(x - px, y - py);
    }
  }
  return best;
}

describe('pathMarks: rules and marks from a pdf.js operator list', () => {
  it('keeps stroked segments and thin or small fills, not page-sized areas, under the current matrix', async () => {
    const { OPS } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const M = 0, L = 1, Z = 4; // pdf.js DrawOPS
    const rect = (x: number, y: number, w: number, h: number): number[] => [M, x, y, L, x + w, y, L, x + w, y + h, L, x, y + h, Z];
    const path = (paint: number, buffer: number[], minMax: number[]): unknown[] => [paint, [new Float32Array(buffer)], new Float32Array(minMax)];
    const list = {
      fnArray: [OPS.constructPath, OPS.save, OPS.transform, OPS.setLineWidth, OPS.constructPath, OPS.restore, OPS.constructPath, OPS.constructPath,
        OPS.paintFormXObjectBegin, OPS.constructPath, OPS.paintFormXObjectEnd, OPS.constructPath],
      argsArray: [
        path(OPS.fill, rect(0, 0, 595, 842), [0, 0, 595, 842]), // white page background: an area, not an obstacle
        null, [1, 0, 0, 1, 100, 200], [2],
        path(OPS.stroke, [M, 0, 0, L, 150, 0], [0, 0, 150, 0]), // a signature rule at y = 200, 2 pt wide
        null,
        path(OPS.fill, rect(50, 300, 200, 0.5), [50, 300, 250, 300.5]), // a filled hairline
        path(OPS.fill, rect(40, 500, 6, 6), [40, 500, 46, 506]), // a bullet
        [[1, 0, 0, 1, 0, 100], [0, 0, 100, 100]],
        path(OPS.closeStroke, rect(10, 10, 80, 40), [10, 10, 90, 50]), // a box in a form XObject moved up 100
        null,
        path(OPS.endPath, rect(0, 0, 10, 10), [0, 0, 10, 10]), // a clip: nothing drawn
      ],
    };
    const marks = pathMarks(list, OPS);
    expect(marks).toEqual([
      [99, 199, 251, 201],
      [50, 300, 250, 300.5],
      [40, 500, 46, 506],
      [9.5, 109.5, 90.5, 110.5], [89.5, 109.5, 90.5, 150.5], [9.5, 149.5, 90.5, 150.5], [9.5, 109.5, 10.5, 150.5],
    ]);
  });
});
