// The ZAP handler (ZeroMQ RFC 27): the coordinator's context asks it about every connecting peer;
// it admits CURVE clients whose public key is listed and refuses everyone else, before any message
// of theirs reaches the coordinator.
import { Router } from 'zeromq';

import { z85Encode } from '../common/config/keys.js';

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/** Answers the ZAP requests of the coordinator's context: listed CURVE keys in, everyone else out. */
export class ZapHandler {
  private readonly socket = new Router();
  private closed = false;

  private constructor(
    private readonly allowed: ReadonlySet<string>,
    private readonly onDecision: (key: string, address: string, allowed: boolean) => void,
  ) {}

  /** Binds the handler; must run before the coordinator socket binds. */
  static async start(allowed: ReadonlySet<string>, onDecision: ZapHandler['onDecision']): Promise<ZapHandler> {
    const handler = new ZapHandler(allowed, onDecision);
    await handler.socket.bind(ZAP_ENDPOINT);
    void handler.serve();
    return handler;
  }

  private async serve(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        // [routing id, empty, version, request id, domain, address, identity, mechanism, ...credentials]
        const [routing, empty, version, requestId, , address, , mechanism, credentials] = frames;
        if (!routing || !empty || !version || !requestId) continue;
        const key = mechanism?.toString() === 'CURVE' && credentials?.length === 32 ? z85Encode(credentials) : '';
        const ok = key !== '' && this.allowed.has(key);
        this.onDecision(key || '(no CURVE key)', address?.toString() ?? '?', ok);
        await this.socket.send([routing, empty, '1.0', requestId, ok ? '200' : '400', ok ? 'OK' : 'key not allowed', ok ? key : '', '']);
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }
}
