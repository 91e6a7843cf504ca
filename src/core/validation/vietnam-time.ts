/**
 * Times as officials read them: Asia/Ho_Chi_Minh, which is UTC+07:00 all year (Vietnam has no daylight saving),
 * written with the offset so the text is unambiguous wherever it is read.
 */
export function vietnamTime(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'thời điểm không hợp lệ / not a valid time';
  const local = new Date(d.getTime() + 7 * 3600_000);
  return `${local.toISOString().slice(0, 19).replace('T', ' ')} +07:00`;
}
