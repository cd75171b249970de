// Who heartbeats, and how often. A worker that is working (ready: holding shards or waiting for
// them) and the coordinator towards it exchange application heartbeats: every heartbeatMs from a
// worker holding shards, so that an assignment lost on the way is noticed soon; every quarter of the
// timeout from one holding nothing and towards a quiet worker (room for three lost heartbeats). A
// peer that is not working yet (loading its model, or one that never gets ready) sends none and is
// sent none: it is lost when its connection closes (coordinator/socket.ts: its process exited, or TCP
// keepalive found its host gone). So ten thousand idle peers cost the coordinator no message at all.
export function idleHeartbeatMs({ heartbeatMs, timeoutMs }: { heartbeatMs: number; timeoutMs: number }): number {
  return Math.max(heartbeatMs, timeoutMs / 4);
}
