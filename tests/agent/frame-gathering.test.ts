/** When a page's frames leave the socket: answers at the end of the turn, notifications with them or soon after. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FrameGathering } from '../../src/agent/frame-gathering.js';
import { NOTIFICATION_DELAY_MS } from '../../src/agent/protocol-constants.js';

/** A socket that records its writes: each uncork that brings the count to 0 is one write of what was corked. */
function recordingSocket() {
  let depth = 0;
  const writes: number[] = [];
  let pending = 0;
  return {
    writes,
    frame: () => { pending++; },
    cork: () => { depth++; },
    uncork: () => {
      depth--;
      if (depth === 0 && pending > 0) { writes.push(pending); pending = 0; }
    },
    get depth() { return depth; },
  };
}

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('frame gathering', () => {
  it('notifications wait up to the delay, then leave in one write', () => {
    const socket = recordingSocket();
    const frames = new FrameGathering(socket);
    for (let i = 0; i < 5; i++) { frames.add(false); socket.frame(); }
    vi.advanceTimersByTime(NOTIFICATION_DELAY_MS - 1);
    expect(socket.writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.writes).toEqual([5]);
    expect(socket.depth).toBe(0);
  });

  it('an answer takes the waiting notifications with it at the end of the turn, and the timer is gone', () => {
    const socket = recordingSocket();
    const frames = new FrameGathering(socket);
    frames.add(false); socket.frame();
    frames.add(false); socket.frame();
    frames.add(true); socket.frame();
    frames.add(true); socket.frame(); // an attachment frame of the same answer
    expect(socket.writes).toEqual([]);
    vi.advanceTimersToNextTimer(); // the end of the turn (setImmediate) comes before the notifications' delay
    expect(socket.writes).toEqual([4]);
    vi.advanceTimersByTime(NOTIFICATION_DELAY_MS * 2);
    expect(socket.writes).toEqual([4]);
    expect(socket.depth).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flush on close writes what waits and leaves no timer', () => {
    const socket = recordingSocket();
    const frames = new FrameGathering(socket);
    frames.add(false); socket.frame();
    frames.flush();
    expect(socket.writes).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
    frames.flush(); // twice: nothing more
    expect(socket.depth).toBe(0);
  });
});
