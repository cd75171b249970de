// zeromq.js allows one send in flight per socket; coordinator and worker send from several places
// (replies, heartbeats, results), so sends go through this queue, in order. A failed send is
// reported, not thrown: the peer's loss is detected by heartbeats.
import type { Writable } from 'zeromq';

export class SerialSender {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Writable,
    private readonly onError: (error: Error) => void,
  ) {}

  send(frames: Array<Buffer | string>): Promise<void> {
    // socket.send throws synchronously on a closed socket, and rejects on a failed send.
    this.tail = this.tail.then(async () => {
      try {
        await this.socket.send(frames);
      } catch (error) {
        this.onError(error as Error);
      }
    });
    return this.tail;
  }

  /** Resolves when everything queued so far has been handed to the socket. */
  drained(): Promise<void> {
    return this.tail;
  }
}
