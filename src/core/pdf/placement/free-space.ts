/**
 * Free room for a signature box next to a keyword: the position nearest to where the box was asked for that
 * overlaps no obstacle (glyph boxes, rules) and stays inside the page. Pure geometry in displayed coordinates
 * (origin top-left, y down, points), so "below" means the same on a rotated page.
 *
 * Sides are tried in order: the requested one, then below, right, above (a box to the left is only tried when
 * asked for). Every side is tried at full size before the box is shrunk (aspect kept) down to `minScale`.
 *
 * Within a side the best position is found exactly, not by stepping: a free position nearest to the preferred
 * one either is the preferred one or has an edge against an obstacle or a bound on each axis where it moved.
 * So candidate x are the preferred x, the bounds and every obstacle edge (box just left or right of it), and
 * likewise for y; they are tried nearest first.
 */
import type { Rect } from './geometry.js';

export type Side = 'below' | 'right' | 'above' | 'left';

export interface FreeSpaceRequest {
  /** The keyword's box. */
  keyword: Rect;
  size: { width: number; height: number };
  position: Side;
  /** Boxes nothing may be drawn over (the keyword's own glyphs are among them). */
  obstacles: readonly Rect[];
  /** The region the box must stay inside (the visible page less a margin). */
  bounds: Rect;
  /** Moves the preferred position (x right, y down); the box still stays on its side of the keyword. */
  offset?: { x: number; y: number };
  /** Space kept between the box and any obstacle (default 2 pt). */
  clearance?: number;
  /** Smallest size tried, as a fraction of `size` (default 0.6). */
  minScale?: number;
}

export interface FreeSpace {
  rect: Rect;
  side: Side;
  /** 1 when the box has the requested size, less when it had to shrink. */
  scale: number;
}

const ORDER: readonly Side[] = ['below', 'right', 'above'];
const SCALES = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3];
const EPS = 1e-6;

export function sideOrder(position: Side): Side[] {
  return [position, ...ORDER.filter((s) => s !== position)];
}

/** The free box, or undefined when no side has room even at the smallest allowed size. */
export function findFreeSpace(req: FreeSpaceRequest): FreeSpace | undefined {
  const clearance = req.clearance ?? 2;
  const minScale = req.minScale ?? 0.6;
  const inflated = merge(req.obstacles
    .filter((o) => o[2] > o[0] && o[3] > o[1])
    .map((o): Rect => [o[0] - clearance, o[1] - clearance, o[2] + clearance, o[3] + clearance]));
  for (const scale of SCALES.filter((s) => s >= minScale - EPS)) {
    const size = { width: req.size.width * scale, height: req.size.height * scale };
    for (const side of sideOrder(req.position)) {
      const rect = nearestFree(req, side, size, inflated, clearance);
      if (rect) return { rect, side, scale };
    }
  }
  return undefined;
}

/**
 * The same region in fewer rectangles: boxes with the same vertical extent that overlap or touch become one
 * (the words of a line, a row of dots), then boxes with the same horizontal extent (a grid of marks). Exact:
 * the union is unchanged, only the search gets faster.
 */
function merge(boxes: readonly Rect[]): Rect[] {
  const pass = (list: readonly Rect[], across: 0 | 1): Rect[] => {
    const along = across === 0 ? 1 : 0; // merge along x when rows match (across = y), along y when columns match
    const key = (r: Rect): string => `${r[along]},${r[along + 2]}`;
    const groups = new Map<string, Rect[]>();
    for (const r of list) {
      const k = key(r);
      const g = groups.get(k);
      if (g) g.push(r); else groups.set(k, [r]);
    }
    const out: Rect[] = [];
    for (const g of groups.values()) {
      g.sort((a, b) => a[across] - b[across]);
      let cur: number[] = [...g[0]!];
      for (const r of g.slice(1)) {
        if (r[across] <= cur[across + 2]!) cur[across + 2] = Math.max(cur[across + 2]!, r[across + 2]!);
        else { out.push(cur as unknown as Rect); cur = [...r]; }
      }
      out.push(cur as unknown as Rect);
    }
    return out;
  };
  return pass(pass(boxes, 0), 1);
}

/** Where the box's top-left corner may go on a side: [minX, minY, maxX, maxY], and the preferred corner. */
function sideRegion(req: FreeSpaceRequest, side: Side, w: number, h: number, clearance: number): { region: Rect; px: number; py: number } {
  const [kx1, ky1, kx2, ky2] = req.keyword;
  const [bx1, by1, bx2, by2] = req.bounds;
  const off = req.offset ?? { x: 0, y: 0 };
  const midY = (ky1 + ky2) / 2;
  const page: Rect = [bx1, by1, bx2 - w, by2 - h];
  // The box overlaps the keyword's span across the side's direction, so it is still next to the keyword.
  const spanX: [number, number] = [kx1 - w + EPS, kx2 - EPS];
  const spanY: [number, number] = [ky1 - h + EPS, ky2 - EPS];
  const inter = (a: Rect, b: Rect): Rect => [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
  switch (side) {
    case 'below': return { region: inter(page, [spanX[0], ky2, spanX[1], Infinity]), px: kx1 + off.x, py: ky2 + clearance + off.y };
    case 'above': return { region: inter(page, [spanX[0], -Infinity, spanX[1], ky1 - h]), px: kx1 + off.x, py: ky1 - clearance - h + off.y };
    case 'right': return { region: inter(page, [kx2, spanY[0], Infinity, spanY[1]]), px: kx2 + clearance + off.x, py: midY - h / 2 + off.y };
    case 'left': return { region: inter(page, [-Infinity, spanY[0], kx1 - w, spanY[1]]), px: kx1 - clearance - w + off.x, py: midY - h / 2 + off.y };
  }
}

function nearestFree(req: FreeSpaceRequest, side: Side, size: { width: number; height: number }, obstacles: readonly Rect[], clearance: number): Rect | undefined {
  const { width: w, height: h } = size;
  const { region, px, py } = sideRegion(req, side, w, h, clearance);
  const [rx1, ry1, rx2, ry2] = region;
  if (rx2 < rx1 - EPS || ry2 < ry1 - EPS) return undefined;
  // Only obstacles that reach into the region's sweep can block a position.
  const near = obstacles.filter((o) => o[2] > rx1 && o[0] < rx2 + w && o[3] > ry1 && o[1] < ry2 + h);
  const rows = rowIndex(near);
  const ys = new Set<number>([py, ry1, ry2, ...near.flatMap((o) => [o[3], o[1] - h])].map((y) => Math.min(Math.max(y, ry1), ry2)));
  let best: { x: number; y: number; d: number } | undefined;
  // Nearest rows first: once a row is farther than the best spot found, no later row can beat it.
  for (const y of [...ys].sort((a, b) => Math.abs(a - py) - Math.abs(b - py))) {
    if (best && Math.abs(y - py) >= best.d) break;
    const x = nearestFreeX(rows.crossing(y, y + h), px, w, rx1, rx2);
    if (x === undefined) continue;
    const d = Math.hypot(x - px, y - py);
    if (!best || d < best.d - EPS || (Math.abs(d - best.d) <= EPS && y < best.y)) best = { x, y, d };
  }
  return best && [best.x, best.y, best.x + w, best.y + h];
}

/**
 * The obstacles crossing a horizontal band, without scanning them all for each band (a page of vector drawing
 * has tens of thousands): short ones sorted by top and found by binary search, the few tall ones scanned.
 */
function rowIndex(obstacles: readonly Rect[]): { crossing(top: number, bottom: number): Rect[] } {
  const TALL = 40;
  const tall = obstacles.filter((o) => o[3] - o[1] > TALL);
  const short = obstacles.filter((o) => o[3] - o[1] <= TALL).sort((a, b) => a[1] - b[1]);
  const firstTopAtLeast = (v: number): number => {
    let lo = 0, hi = short.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (short[mid]![1] < v) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const crosses = (o: Rect, top: number, bottom: number): boolean => top < o[3] - EPS && bottom > o[1] + EPS;
  return {
    crossing(top, bottom) {
      const out = tall.filter((o) => crosses(o, top, bottom));
      // A short obstacle crossing the band has its top within (top - TALL, bottom).
      for (let i = firstTopAtLeast(top - TALL); i < short.length && short[i]![1] < bottom; i++) {
        if (crosses(short[i]!, top, bottom)) out.push(short[i]!);
      }
      return out;
    },
  };
}

/** In one row: the left edge in [lo, hi] nearest to `preferred` for a box of width `w` between the blocks. */
function nearestFreeX(row: readonly Rect[], preferred: number, w: number, lo: number, hi: number): number | undefined {
  // Left edges a block forbids: (o.x1 - w, o.x2) open. Merge them and look at the gaps.
  const blocked = row.map((o): [number, number] => [o[0] - w, o[2]]).sort((a, b) => a[0] - b[0]);
  const free: Array<[number, number]> = [];
  let from = lo;
  for (const [a, b] of blocked) {
    if (a >= from - EPS) free.push([from, Math.min(a, hi)]);
    from = Math.max(from, b);
    if (from > hi) break;
  }
  if (from <= hi + EPS) free.push([from, hi]);
  let best: number | undefined;
  for (const [a, b] of free) {
    if (b < a - EPS) continue;
    const x = Math.min(Math.max(preferred, a), b);
    if (best === undefined || Math.abs(x - preferred) < Math.abs(best - preferred)) best = x;
  }
  return best;
}
