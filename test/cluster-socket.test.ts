// The coordinator's socket tells which peer's connection closed, by name: one that left, and one
// whose process was killed without a word; not one whose connection a new one took over.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { Dealer } from 'zeromq';

import { encode } from '../common/protocol/codec.js';
import { PROTOCOL_VERSION } from '../common/protocol/messages.js';
import { CoordinatorSocket } from '../coordinator/socket.js';
import { silent } from './cluster-fixture.js';

const hello = encode({ type: 'hello', protocol: PROTOCOL_VERSION, host: 'h', pid: 1 });

/** A bound socket that records, in order, each peer's hello and each closed connection. */
async function recordingSocket(): Promise<{ socket: CoordinatorSocket; endpoint: string; events: string[]; next: (event: string) => Promise<number> }> {
  const socket = new CoordinatorSocket({ bind: 'tcp://127.0.0.1:*', maxMessageBytes: 1 << 20, deadHostMs: 2000, log: silent });
  const endpoint = await socket.bind();
  const events: string[] = [];
  const waiters: Array<{ event: string; done: (at: number) => void }> = [];
  const record = (event: string): void => {
    events.push(event);
    for (const w of waiters.filter((w) => w.event === event)) w.done(performance.now());
  };
  socket.listen({
    onMessage: (worker, message) => record(`${message.type} ${worker}`),
    onDropped: (worker, reason) => record(`dropped ${worker}: ${reason}`),
    onDisconnected: (worker) => record(`closed ${worker}`),
  });
  const next = (event: string): Promise<number> => new Promise((done) => waiters.push({ event, done }));
  return { socket, endpoint, events, next };
}

describe('coordinator socket', { timeout: 30_000 }, () => {
  const sockets: CoordinatorSocket[] = [];
  after(() => Promise.all(sockets.map((s) => s.close())));

  it('reports a peer that closed its connection, by name, and not one handed over to a new connection', async () => {
    const { socket, endpoint, events, next } = await recordingSocket();
    sockets.push(socket);
    const first = new Dealer({ routingId: 'a', linger: 0 });
    first.connect(endpoint);
    await first.send(hello);
    await next('hello a');
    const second = new Dealer({ routingId: 'a', linger: 0 }); // the same name: takes the connection over
    second.connect(endpoint);
    await second.send(hello);
    await next('hello a');
    first.close(); // its connection was handed over: nothing to report
    await new Promise((resolve) => setTimeout(resolve, 300));
    second.close();
    await next('closed a');
    assert.deepEqual(events, ['hello a', 'hello a', 'closed a']);
  });

  it('reports a peer whose process was killed, at once, though it never sends anything after its hello', async () => {
    const { socket, endpoint, events, next } = await recordingSocket();
    sockets.push(socket);
    const peer = `import { Dealer } from 'zeromq';
      const d = new Dealer({ routingId: 'killed' }); d.connect(${JSON.stringify(endpoint)});
      await d.send(Buffer.from(${JSON.stringify([...hello])}));
      setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', peer], { stdio: 'ignore' });
    try {
      await next('hello killed');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(events, ['hello killed'], 'alive and connected: nothing to report');
      child.kill('SIGKILL');
      const killedAt = performance.now();
      const closedAt = await next('closed killed');
      assert.ok(closedAt - killedAt < 1000, `found ${Math.round(closedAt - killedAt)} ms after it was killed (the kernel closes its connections)`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
