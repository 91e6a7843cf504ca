/**
 * Vietnam's clock (Asia/Ho_Chi_Minh): UTC+07:00 all year, no daylight saving since 1975. A fixed offset, so the
 * times Kyso shows and writes never depend on this machine's TZ or on a time zone database.
 */
export const VIETNAM_UTC_OFFSET_MINUTES = 7 * 60;

/** How the offset is written next to a time people read ("GMT+7", as Vietnamese clocks and documents say it). */
export const VIETNAM_ZONE_LABEL = 'GMT+7';

/** A Date whose UTC fields (getUTCHours…) read as the wall clock in Vietnam at instant `d`. */
export const vietnamWallClock = (d: Date): Date => new Date(d.getTime() + VIETNAM_UTC_OFFSET_MINUTES * 60_000);
