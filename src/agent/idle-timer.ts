/**
 * Closes a WebSocket that has been silent for too long, on both endpoints: an open connection holds one of the
 * few connection slots, so a page that opened sockets and went quiet must not keep them. Any frame from the page
 * (a message, a ping or a pong) counts as life; a connection with work in flight is never idle.
 */
import type { WebSocket } from 'ws';

export interface IdleWatch {
  /** Something happened on the connection (an answer sent, work finished): the quiet time starts again. */
  touch(): void;
}

export function watchIdle(ws: WebSocket, ms: number, busy: () => boolean, onIdle: () => void): IdleWatch {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => (busy() ? touch() : onIdle()), ms);
    timer.unref?.();
  };
  ws.on('message', touch);
  ws.on('ping', touch);
  ws.on('pong', touch);
  ws.once('close', () => { if (timer) clearTimeout(timer); });
  touch();
  return { touch };
}
