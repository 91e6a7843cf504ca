/**
 * Times as officials read them: Asia/Ho_Chi_Minh, which is UTC+07:00 all year (Vietnam has no daylight saving),
 * written with the offset so the text is unambiguous wherever it is read.
 */
import { vietnamWallClock } from '../vietnam-clock.js';

export function vietnamTime(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'thời điểm không hợp lệ / not a valid time';
  const local = vietnamWallClock(d);
  return `${local.toISOString().slice(0, 19).replace('T', ' ')} +07:00`;
}
