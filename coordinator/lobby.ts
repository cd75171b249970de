// Where workers wait while the run loads. The local workers start before the model and inputs are
// loaded (a node process takes about as long to start as a small model takes to load, so the two
// overlap): they connect and say hello before the coordinator can welcome them. The lobby answers
// each hello at once, and every `keepAliveMs` after, with a heartbeat, which a joining worker takes
// as "the coordinator is there" (it restarts its wait), however long the load takes; the coordinator
// takes the hellos over when it starts. If the run ends before that, the waiting workers are told to finish.
import type { Logger } from 'pino';

import type { Hello } from '../common/protocol/messages.js';
import type { CoordinatorSocket } from './socket.js';

/** Keeps the hellos of workers that arrive while the run loads and answers each with heartbeats until the coordinator takes them over. */
export class Lobby {
  private readonly hellos = new Map<string, Hello>();
  private readonly timer: NodeJS.Timeout;
  private open = true;

  constructor(
    private readonly socket: CoordinatorSocket, // bound
    keepAliveMs: number, // below the workers' retry delay
    log: Logger,
  ) {
    socket.listen({
      onMessage: (worker, message) => {
        if (message.type === 'hello') {
          this.hellos.set(worker, message);
          this.keepAlive(worker);
        } else if (message.type === 'bye') {
          this.hellos.delete(worker);
        }
      },
      onDropped: (worker, reason) => log.warn({ worker, reason }, 'message dropped'),
      onDisconnected: (worker) => this.hellos.delete(worker),
    });
    this.timer = setInterval(() => {
      for (const worker of this.hellos.keys()) this.keepAlive(worker);
    }, keepAliveMs);
  }

  private keepAlive(worker: string): void {
    void this.socket.send(worker, { type: 'heartbeat', mark: 0 }); // before the coordinator's first event: it marks nothing
  }

  /** A waiting worker's process ended. */
  left(worker: string): void {
    this.hellos.delete(worker);
  }

  /** Stops answering; returns the waiting workers' hellos, for the coordinator to handle. Idempotent. */
  close(): Array<[worker: string, hello: Hello]> {
    if (!this.open) return [];
    this.open = false;
    clearInterval(this.timer);
    return [...this.hellos];
  }

  /** The run ends before its coordinator started: the waiting workers are told to finish. */
  dismiss(): void {
    for (const [worker] of this.close()) void this.socket.send(worker, { type: 'finish' });
  }
}
