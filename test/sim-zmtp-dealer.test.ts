// The simulator's DEALER (scripts/bench/sim/zmtp-dealer.ts) against libzmq's ROUTER: the ROUTER sees
// its routing id and its messages, short and long, and it gets the ROUTER's, in order; what it sends
// before the handshake waits for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Router } from 'zeromq';

import { ZmtpDealer } from '../scripts/bench/sim/zmtp-dealer.js';

describe('simulator: a DEALER speaking ZMTP over node:net', () => {
  it('exchanges short and long single-frame messages with a libzmq ROUTER under its routing id', async () => {
    const router = new Router({ linger: 0 });
    await router.bind('tcp://127.0.0.1:*');
    const got: Buffer[] = [];
    let gotAll!: () => void;
    const all = new Promise<void>((resolve) => (gotAll = resolve));
    const long = Buffer.alloc(70000, 7);
    const dealer = new ZmtpDealer(router.lastEndpoint!, 'sim-42', (payload) => {
      got.push(Buffer.from(payload));
      if (got.length === 3) gotAll();
    });
    dealer.connect();
    dealer.send(Buffer.from('first, before the handshake'));
    dealer.send(long);
    const received: Array<[string, Buffer]> = [];
    for await (const [id, payload, ...rest] of router) {
      assert.equal(rest.length, 0, 'one frame per message');
      received.push([id!.toString('latin1'), payload!]);
      if (received.length === 2) break;
    }
    assert.deepEqual(received.map(([id]) => id), ['sim-42', 'sim-42']);
    assert.equal(received[0]![1].toString(), 'first, before the handshake');
    assert.ok(received[1]![1].equals(long));
    await router.send(['sim-42', Buffer.from([1, 2, 3])]);
    await router.send(['sim-42', long]);
    await router.send(['sim-42', Buffer.alloc(0)]);
    await all;
    assert.deepEqual([...got[0]!], [1, 2, 3]);
    assert.ok(got[1]!.equals(long));
    assert.equal(got[2]!.length, 0);
    dealer.close();
    router.close();
  });
});
