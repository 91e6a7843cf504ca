/**
 * Printed lines and small marks from a page's pdf.js operator list, in default user space: signature rules,
 * underlines, table borders, check boxes. They are obstacles for keyword placement like glyphs are.
 * Large filled areas (page backgrounds, shaded cells) are not: a box may sit on a tint, and a white page
 * background would otherwise leave no room anywhere. Images are not either (a scan is one page-sized image).
 */
import type { Rect } from './geometry.js';

/** The pdf.js operator codes used here (pdf.js exports them as OPS). */
export interface PathOps {
  save: number; restore: number; transform: number; setLineWidth: number;
  paintFormXObjectBegin: number; paintFormXObjectEnd: number; constructPath: number;
  stroke: number; closeStroke: number; fill: number; eoFill: number;
  fillStroke: number; eoFillStroke: number; closeFillStroke: number; closeEOFillStroke: number;
}

export interface OperatorList { fnArray: ArrayLike<number>; argsArray: ArrayLike<unknown> }

type Matrix = [number, number, number, number, number, number];

/** A filled shape this thin (pt) is a rule; this small, a mark (bullet, box); anything larger is an area. */
const RULE = 6;
const MARK = 30;
/** Path opcodes inside pdf.js's constructPath buffer (its DrawOPS, not exported). */
const MOVE = 0, LINE = 1, CURVE = 2, QUAD = 3, CLOSE = 4;
/** Bound on the work spent on one page's paths (a vector drawing can have millions of segments). */
const MAX_SEGMENTS = 200_000;

const mul = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
];

function box(points: readonly number[], m: Matrix, pad: number): Rect {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = m[0] * points[i]! + m[2] * points[i + 1]! + m[4];
    const y = m[1] * points[i]! + m[3] * points[i + 1]! + m[5];
    x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x); y2 = Math.max(y2, y);
  }
  return [x1 - pad, y1 - pad, x2 + pad, y2 + pad];
}

const isMatrix = (v: unknown): v is Matrix => Array.isArray(v) || ArrayBuffer.isView(v)
  ? (v as ArrayLike<unknown>).length === 6 && Array.from(v as ArrayLike<unknown>).every((n) => typeof n === 'number' && Number.isFinite(n))
  : false;

/** Boxes of the stroked segments and of the thin or small filled shapes on a page. */
export function pathMarks(list: OperatorList, ops: PathOps): Rect[] {
  const stroking = new Set([ops.stroke, ops.closeStroke, ops.fillStroke, ops.eoFillStroke, ops.closeFillStroke, ops.closeEOFillStroke]);
  const filling = new Set([ops.fill, ops.eoFill, ops.fillStroke, ops.eoFillStroke, ops.closeFillStroke, ops.closeEOFillStroke]);
  const out: Rect[] = [];
  const stack: Array<{ m: Matrix; lw: number }> = [];
  let m: Matrix = [1, 0, 0, 1, 0, 0];
  let lw = 1;
  let budget = MAX_SEGMENTS;
  for (let i = 0; i < list.fnArray.length && budget > 0; i++) {
    const fn = list.fnArray[i]!;
    const args = list.argsArray[i] as unknown[] | null | undefined;
    if (fn === ops.save) stack.push({ m, lw });
    else if (fn === ops.restore) ({ m, lw } = stack.pop() ?? { m, lw });
    else if (fn === ops.transform && args && isMatrix(args)) m = mul(Array.from(args) as Matrix, m);
    else if (fn === ops.setLineWidth && typeof args?.[0] === 'number') lw = args[0];
    else if (fn === ops.paintFormXObjectBegin) {
      stack.push({ m, lw });
      if (isMatrix(args?.[0])) m = mul(Array.from(args[0] as ArrayLike<number>) as Matrix, m);
    } else if (fn === ops.paintFormXObjectEnd) ({ m, lw } = stack.pop() ?? { m, lw });
    else if (fn === ops.constructPath && args) {
      const [paint, data, minMax] = args as [number, unknown[] | undefined, ArrayLike<number> | null | undefined];
      const path = data?.[0] as ArrayLike<number> | null | undefined;
      if (!path || !minMax) continue;
      // Line width in user space: its length along the CTM's larger axis (enough for the rules drawn upright).
      const scale = Math.max(Math.hypot(m[0], m[1]), Math.hypot(m[2], m[3]));
      if (filling.has(paint)) {
        const b = box([minMax[0]!, minMax[1]!, minMax[2]!, minMax[1]!, minMax[0]!, minMax[3]!, minMax[2]!, minMax[3]!], m, 0);
        const thin = Math.min(b[2] - b[0], b[3] - b[1]);
        const long = Math.max(b[2] - b[0], b[3] - b[1]);
        if (thin <= RULE || long <= MARK) out.push(b);
      }
      if (stroking.has(paint)) budget -= segments(path, m, (Math.max(lw, 0.5) * scale) / 2, out, budget);
    }
  }
  return out;
}

/** Adds the box of each segment of a stroked path; returns how many it read. */
function segments(path: ArrayLike<number>, m: Matrix, pad: number, out: Rect[], budget: number): number {
  let x = 0, y = 0, sx = 0, sy = 0, n = 0;
  for (let k = 0; k < path.length && n < budget; n++) {
    const op = path[k++];
    if (op === MOVE) { x = sx = path[k++]!; y = sy = path[k++]!; }
    else if (op === LINE) { const nx = path[k++]!, ny = path[k++]!; out.push(box([x, y, nx, ny], m, pad)); x = nx; y = ny; }
    else if (op === CURVE) { const p = Array.from({ length: 6 }, () => path[k++]!); out.push(box([x, y, ...p], m, pad)); x = p[4]!; y = p[5]!; }
    else if (op === QUAD) { const p = Array.from({ length: 4 }, () => path[k++]!); out.push(box([x, y, ...p], m, pad)); x = p[2]!; y = p[3]!; }
    else if (op === CLOSE) { if (x !== sx || y !== sy) out.push(box([x, y, sx, sy], m, pad)); x = sx; y = sy; }
    else break; // an opcode this version does not know: stop rather than misread the rest
  }
  return n;
}
