// zeromq.js allows one send in flight per socket; coordinator and worker send from several places
// (replies, heartbeats, results), so sends go through this queue, in order. A failed send is
// reported, not thrown: the peer's loss is detected by heartbeats. A socket whose sendTimeout is 0
// never has a send in flight (zeromq.js sends it at once, or fails it at once), so its sends skip
// the queue: no promise chain per message.
import type { Writable } from 'zeromq';

export class SerialSender {
  private tail: Promise<void> = Promise.resolve();
  private readonly immediate: boolean;

  constructor(
    private readonly socket: Writable,
    private readonly onError: (error: Error) => void,
  ) {
    this.immediate = socket.sendTimeout === 0;
  }

  send(frames: Array<Buffer | string>): Promise<void> {
    if (this.immediate) return this.sendNow(frames);
    this.tail = this.tail.then(() => this.sendNow(frames));
    return this.tail;
  }

  /** Resolves when everything queued so far has been handed to the socket. */
  drained(): Promise<void> {
    return this.tail;
  }

  private async sendNow(frames: Array<Buffer | string>): Promise<void> {
    // socket.send throws synchronously on a closed socket, and rejects on a failed send.
    try {
      await this.socket.send(frames);
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
