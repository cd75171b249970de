// The worker agent's phases and their legal transitions (the coordinator's are in
// coordinator/states.ts): joining (hello sent, no welcome yet), preparing (loading the model, or
// receiving it in chunks), working (pulling and computing shards), stopped (for good).
import { checkTransition } from '../common/transition.js';

export type AgentPhase = 'joining' | 'preparing' | 'working' | 'stopped';

const AGENT_TRANSITIONS: Record<AgentPhase, readonly AgentPhase[]> = {
  joining: ['joining', 'preparing', 'stopped'], // hello again while silent; welcome; exit
  preparing: ['joining', 'working', 'stopped'], // reset or silence; model ready; exit
  working: ['joining', 'stopped'], // reset or silence; exit
  stopped: [],
};

/** Throws, naming both phases and why, unless the agent may go from `from` to `to`. */
export function checkAgentTransition(from: AgentPhase, to: AgentPhase, why: string): void {
  checkTransition(AGENT_TRANSITIONS, 'worker agent', from, to, why);
}
