// A ZeroMQ DEALER as seen on the wire (ZMTP 3.1, NULL mechanism, rfc.zeromq.org/spec/37), over one
// node:net connection: what a simulated worker needs and no more (single-frame messages; reconnects
// after 100 ms as libzmq does; messages sent while disconnected wait for the connection). The
// coordinator's ROUTER cannot tell it from libzmq's DEALER: the same greeting, READY command with the
// socket type and routing id, and frames. Why not libzmq here: a thousand libzmq sockets in one process
// cost the fleet more CPU per message than the coordinator (each has its own mailbox and poller, and
// every message crosses ZeroMQ's I/O thread), and the fleet shares the coordinator's two cores
// (docs/performance.md).
import { connect, type Socket } from 'node:net';

const GREETING_BYTES = 64;
const RECONNECT_MS = 100;

/** Signature, version 3.1, mechanism NULL, as-server 0, filler. */
function greeting(): Buffer {
  const bytes = Buffer.alloc(GREETING_BYTES);
  bytes[0] = 0xff;
  bytes[9] = 0x7f;
  bytes[10] = 3;
  bytes[11] = 1;
  bytes.write('NULL', 12, 'ascii');
  return bytes;
}

function property(name: string, value: Buffer): Buffer {
  const head = Buffer.alloc(1 + name.length + 4);
  head[0] = name.length;
  head.write(name, 1, 'ascii');
  head.writeUInt32BE(value.length, 1 + name.length);
  return Buffer.concat([head, value]);
}

/** A frame: flags (0x02 long, 0x04 command), its size in 1 or 8 bytes, the body. */
function frame(body: Uint8Array, command = false): Buffer {
  const long = body.length > 255;
  const headBytes = long ? 9 : 2;
  const bytes = Buffer.allocUnsafe(headBytes + body.length);
  bytes[0] = (long ? 0x02 : 0) | (command ? 0x04 : 0);
  if (long) bytes.writeBigUInt64BE(BigInt(body.length), 1);
  else bytes[1] = body.length;
  bytes.set(body, headBytes);
  return bytes;
}

function ready(routingId: string): Buffer {
  const name = Buffer.from('READY', 'ascii');
  const body = Buffer.concat([Buffer.from([name.length]), name, property('Socket-Type', Buffer.from('DEALER')), property('Identity', Buffer.from(routingId, 'latin1'))]);
  return frame(body, true);
}

export class ZmtpDealer {
  private socket?: Socket;
  private pending: Buffer = Buffer.alloc(0); // bytes received, not yet a whole frame
  private greeted = false; // the peer's greeting has been read
  private open = false; // READY exchanged: messages may go out
  private readonly waiting: Buffer[] = []; // sent while not open
  private closed = false;

  constructor(
    private readonly endpoint: string, // tcp://host:port
    private readonly routingId: string,
    private readonly onMessage: (payload: Buffer) => void,
  ) {}

  connect(): void {
    const match = /^tcp:\/\/(.+):(\d+)$/.exec(this.endpoint);
    if (!match) throw new Error(`${this.endpoint}: not a tcp://host:port endpoint`);
    const socket = connect({ host: match[1]!, port: Number(match[2]), noDelay: true });
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.greeted = false;
    this.open = false;
    socket.on('connect', () => socket.write(Buffer.concat([greeting(), ready(this.routingId)])));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      this.open = false;
      if (!this.closed) setTimeout(() => !this.closed && this.connect(), RECONNECT_MS);
    });
  }

  send(payload: Buffer): void {
    if (this.closed) return;
    if (this.open) this.socket!.write(frame(payload));
    else this.waiting.push(payload);
  }

  /** Closes after what was sent has been written. */
  close(): void {
    this.closed = true;
    this.socket?.end();
  }

  private receive(chunk: Buffer): void {
    let bytes = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.greeted) {
      if (bytes.length < GREETING_BYTES) {
        this.pending = bytes;
        return;
      }
      if (bytes[0] !== 0xff || bytes[9] !== 0x7f || bytes[10]! < 3) return this.fail('not a ZMTP 3 peer');
      this.greeted = true;
      bytes = bytes.subarray(GREETING_BYTES);
    }
    let at = 0;
    while (bytes.length - at >= 2) {
      const flags = bytes[at]!;
      const long = (flags & 0x02) !== 0;
      const headBytes = long ? 9 : 2;
      if (bytes.length - at < headBytes) break;
      const size = long ? Number(bytes.readBigUInt64BE(at + 1)) : bytes[at + 1]!;
      if (bytes.length - at - headBytes < size) break;
      const body = bytes.subarray(at + headBytes, at + headBytes + size);
      at += headBytes + size;
      if ((flags & 0x04) !== 0) this.command(body);
      else if ((flags & 0x01) !== 0) return this.fail('a multipart message (the coordinator sends single frames)');
      else this.onMessage(body);
    }
    this.pending = at === bytes.length ? Buffer.alloc(0) : Buffer.from(bytes.subarray(at));
  }

  /** The peer's READY opens the connection; other commands (PING, without ZMTP heartbeats none comes) are ignored. */
  private command(body: Buffer): void {
    const name = body.toString('ascii', 1, 1 + body[0]!);
    if (name === 'ERROR') return this.fail(`the peer refused the connection (${body.toString('ascii', 7)})`);
    if (name !== 'READY' || this.open) return;
    this.open = true;
    for (const payload of this.waiting.splice(0)) this.socket!.write(frame(payload));
  }

  private fail(reason: string): void {
    this.socket?.destroy(new Error(`${this.endpoint}: ${reason}`));
  }
}
