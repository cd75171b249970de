// How often a quiet peer must be heard from. A peer is given up after timeoutMs of silence; a
// quarter of it leaves room for three lost heartbeats. Both ends use it for a peer with nothing in
// flight: the coordinator towards a peer it sent nothing lately, a worker holding no shard (loading
// its model, or waiting). A worker holding shards heartbeats every heartbeatMs, so that an assignment
// lost on the way is noticed soon. So ten thousand idle peers cost the coordinator 2.5 messages a
// second each way per thousand, not ten.
export function idleHeartbeatMs({ heartbeatMs, timeoutMs }: { heartbeatMs: number; timeoutMs: number }): number {
  return Math.max(heartbeatMs, timeoutMs / 4);
}
