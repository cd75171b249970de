// The coordinator's ROUTER socket: binds (behind the ZAP handler when CURVE is on), receives raw
// frames, checks each message (msgpack + zod, size limited by the socket) and hands valid ones on.
// A malformed message is logged and dropped; nothing a peer sends can throw out of here. Binding
// comes first and alone, so a run whose address is wrong fails before it writes anything.
// A closed connection is reported by its peer's name (a process that exits closes its connections at
// once; a host that vanished is found by TCP keepalive in the kernel), so a peer that is not working
// yet needs no heartbeats at all. Not ZMTP heartbeats: libzmq 4.3 cancels a timer by a linear search
// of its I/O thread's timers, once per pong, so they cost the I/O thread 0.23 of a core at 5000
// peers pinged every 2.5 s (a quadratic cost; docs/performance.md), where keepalive costs nothing.
import type { Logger } from 'pino';
import { Router } from 'zeromq';

import { decodeWorkerMessage, encode } from '../common/protocol/codec.js';
import type { CoordinatorMessage, WorkerMessage } from '../common/protocol/messages.js';
import { SerialSender } from '../common/protocol/serial-sender.js';
import type { KeyPair } from '../common/config/keys.js';
import { ZapHandler } from './zap.js';

export interface CoordinatorSocketOptions {
  bind: string;
  maxMessageBytes: number;
  deadHostMs: number; // a connection whose host stopped answering (TCP keepalive) is closed after about this long
  curve?: { server: KeyPair; allowed: ReadonlySet<string> };
  log: Logger;
}

export interface SocketHandlers {
  onMessage: (worker: string, message: WorkerMessage) => void;
  onDropped: (worker: string, reason: string) => void;
  onDisconnected: (worker: string) => void; // its connection closed (it exited, or its host went silent)
}

// Draft options of libzmq 4.3, which zeromq.js builds with drafts but does not name.
// ZMQ_ROUTER_NOTIFY with ZMQ_NOTIFY_DISCONNECT: a closed connection arrives as its routing id and an
// empty frame. A connection handed over to a new one under the same name (`handover`) is not reported.
const ZMQ_ROUTER_NOTIFY = 97;
const ZMQ_NOTIFY_DISCONNECT = 2;
// Each connection's read and write buffers (8 KB by default): the coordinator's messages are small
// (a larger one is written from the message itself, and read in several reads), and at 1 KB each of
// ten thousand peers costs 20 KB of the coordinator's memory instead of 29 (docs/performance.md).
const ZMQ_IN_BATCH_SIZE = 101;
const ZMQ_OUT_BATCH_SIZE = 102;
const BATCH_BYTES = 1024;

class CoordinatorRouter extends Router {
  constructor(options: ConstructorParameters<typeof Router>[0]) {
    super(options);
    this.setInt32Option(ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_DISCONNECT);
    this.setInt32Option(ZMQ_IN_BATCH_SIZE, BATCH_BYTES);
    this.setInt32Option(ZMQ_OUT_BATCH_SIZE, BATCH_BYTES);
  }
}

/** The coordinator's ROUTER: bind, checked messages in (to its handlers), messages out in order. */
export class CoordinatorSocket {
  private readonly router: Router;
  private readonly sender: SerialSender;
  private zap?: ZapHandler;
  private handlers?: SocketHandlers;
  private closed = false;
  private readonly lastSent = new Map<string, number>(); // Date.now() of the last message to each peer
  endpoint = '';

  constructor(private readonly options: CoordinatorSocketOptions) {
    this.router = new CoordinatorRouter({
      maxMessageSize: options.maxMessageBytes, // larger messages cut the peer's connection
      handover: true, // a worker reconnecting under its name replaces its stale connection
      linger: 2000,
      sendHighWaterMark: 10000,
      // A ROUTER never blocks a send (a message for a peer that is gone or past its high-water mark is
      // dropped), so sends need not wait: at 0, zeromq.js sends at once, without asking libzmq for the
      // socket's events first (a getsockopt per message) and without deferring every 512th send.
      sendTimeout: 0,
      // Probes after half the time idle, then two more a quarter apart (Linux counts in seconds).
      tcpKeepalive: 1,
      tcpKeepaliveIdle: Math.max(1, Math.round(options.deadHostMs / 2000)),
      tcpKeepaliveInterval: Math.max(1, Math.round(options.deadHostMs / 4000)),
      tcpKeepaliveCount: 2,
      ...(options.curve ? { curveServer: true, curveSecretKey: options.curve.server.secret, zapDomain: 'snig' } : {}),
    });
    this.sender = new SerialSender(this.router, (error) => options.log.warn({ err: error }, 'send failed'));
  }

  /** Binds; returns the endpoint workers connect to. A failure names the setting and the address. */
  async bind(): Promise<string> {
    const { curve, log } = this.options;
    if (curve) {
      this.zap = await ZapHandler.start(curve.allowed, (key, address, ok) => {
        if (ok) log.debug({ key, address }, 'ZAP: worker key accepted');
        else log.warn({ key, address }, 'ZAP: refused a peer whose key is not listed');
      });
      this.logFailedHandshakes(log);
    }
    try {
      await this.router.bind(this.options.bind);
    } catch (error) {
      throw new Error(`coordinator.bind ${this.options.bind}: cannot bind (${(error as Error).message})`);
    }
    this.endpoint = this.router.lastEndpoint ?? this.options.bind;
    return this.endpoint;
  }

  /** Starts handing received messages on; a later call hands them to other handlers (the lobby's, then the coordinator's). */
  listen(handlers: SocketHandlers): void {
    const first = !this.handlers;
    this.handlers = handlers;
    if (first) void this.receive();
  }

  /**
   * Peers refused before ZAP is asked: a plaintext client (mechanism mismatch), or one that encrypts
   * to another server key (cryptographic error). ZeroMQ reports these only as socket events. Such a
   * peer retries every few hundred ms: the first refusal of each kind is a warning, the rest debug.
   */
  private logFailedHandshakes(log: Logger): void {
    const seen = new Set<string>();
    const refused = ({ address, error }: { address: string; error: Error & { code?: string } }): void => {
      const kind = error.code ?? error.message;
      const first = !seen.has(kind);
      seen.add(kind);
      log[first ? 'warn' : 'debug']({ address, code: error.code, reason: error.message }, 'CURVE handshake refused a peer');
    };
    this.router.events.on('handshake:error:protocol', refused);
    this.router.events.on('handshake:error:other', refused);
  }

  /** Queues a message; one larger than the workers accept is refused here with a RangeError. */
  send(worker: string, message: CoordinatorMessage): Promise<void> {
    if (this.closed) return Promise.resolve(); // after the run: nobody is listening for this
    const bytes = encode(message);
    if (bytes.length > this.options.maxMessageBytes) {
      throw new RangeError(`a ${message.type} message of ${bytes.length} bytes exceeds coordinator.maxMessageBytes (${this.options.maxMessageBytes})`);
    }
    this.lastSent.set(worker, Date.now());
    return this.sender.send([worker, bytes]);
  }

  /** Milliseconds since anything was sent to a peer (Infinity: never). */
  quietFor(worker: string, now: number): number {
    return now - (this.lastSent.get(worker) ?? -Infinity);
  }

  private async receive(): Promise<void> {
    try {
      for await (const [id, ...frames] of this.router) {
        const handlers = this.handlers!;
        const worker = id?.toString('latin1') ?? '?';
        const payload = frames[0];
        if (frames.length === 1 && payload?.length === 0) {
          this.lastSent.delete(worker);
          handlers.onDisconnected(worker); // the notification (a peer sending an empty frame only says the same of itself)
          continue;
        }
        if (frames.length !== 1 || !payload) {
          handlers.onDropped(worker, `${frames.length} frames (expected 1)`);
          continue;
        }
        const decoded = decodeWorkerMessage(payload);
        if (decoded.ok) handlers.onMessage(worker, decoded.message);
        else handlers.onDropped(worker, decoded.error);
      }
    } catch (error) {
      if (!this.closed) this.options.log.error({ err: error }, 'coordinator socket failed');
    }
  }

  /** Idempotent; waits for queued sends (e.g. `finish`) to reach the socket first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sender.drained();
    this.router.close();
    this.zap?.close();
  }
}
