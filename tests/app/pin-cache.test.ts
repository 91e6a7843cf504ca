/** The PIN cache on its own: off by default, a fixed time from entry, wiped on every event that should end it. */
import { describe, expect, it } from 'vitest';
import { PinCache, type Timers } from '../../src/app/pin-cache.js';

class Clock implements Timers {
  t = 0;
  handles = new Map<number, { at: number; fn: () => void }>();
  private n = 0;
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown { this.handles.set(++this.n, { at: this.t + ms, fn }); return this.n; }
  clearTimeout(h: unknown): void { this.handles.delete(h as number); }
  advance(ms: number): void {
    this.t += ms;
    for (const [id, x] of [...this.handles]) if (x.at <= this.t) { this.handles.delete(id); x.fn(); }
  }
}

describe('PIN cache', () => {
  it('is off by default and keeps nothing then', () => {
    const c = new PinCache(new Clock());
    expect(c.enabledMinutes).toBe(0);
    c.put('t1', '1234');
    expect(c.get('t1', 'ok')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('keeps a PIN for the configured minutes from entry, not extended by use, then wipes it with its timer', () => {
    const clock = new Clock();
    const c = new PinCache(clock);
    c.configure(5);
    c.put('t1', '1234');
    clock.advance(4 * 60_000);
    expect(c.get('t1', 'ok')).toBe('1234');
    clock.advance(60_000 - 1);
    expect(c.get('t1', 'ok')).toBe('1234');
    clock.advance(1);
    expect(c.size).toBe(0);
    expect(clock.handles.size).toBe(0);
  });

  it('never longer than an hour', () => {
    const clock = new Clock();
    const c = new PinCache(clock);
    c.configure(10_000);
    expect(c.enabledMinutes).toBe(60);
  });

  it('drops the PIN when the token reports failed tries, is pulled out, the duration changes, or everything is forgotten', () => {
    const c = new PinCache(new Clock());
    c.configure(15);
    c.put('t1', '1111');
    expect(c.get('t1', 'count-low')).toBeUndefined();
    expect(c.has('t1')).toBe(false);

    c.put('t1', '1111');
    c.put('t2', '2222');
    c.keepOnly(['t2']);
    expect(c.has('t1')).toBe(false);
    expect(c.get('t2', 'ok')).toBe('2222');

    c.configure(30);
    expect(c.size).toBe(0);

    c.put('t2', '2222');
    c.forgetAll();
    expect(c.size).toBe(0);

    c.put('t3', '3333');
    c.configure(0);
    expect(c.get('t3', 'ok')).toBeUndefined();
  });

  it('overwrites the stored bytes when it forgets', () => {
    const c = new PinCache(new Clock());
    c.configure(5);
    c.put('t1', '98765432');
    const entry = (c as unknown as { entries: Map<string, { pin: Buffer }> }).entries.get('t1')!;
    c.forget('t1');
    expect([...entry.pin]).toEqual(new Array(8).fill(0));
  });
});
