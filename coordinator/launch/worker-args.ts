// The `snig worker` flags (other than --connect and --name) that every launcher passes to the
// workers of a group: which group they are (their engine options come in `welcome`), and the run's
// worker settings.
import type { RunConfig } from '../../common/config/schema.js';

export function workerArgs(
  config: { worker: RunConfig['worker']; coordinator: Pick<RunConfig['coordinator'], 'maxMessageBytes'> },
  group: number, // index in the run config's `workers`
  logLevel: string,
): string[] {
  return [
    '--group', String(group),
    '--prefetch', String(config.worker.prefetch),
    '--retries', String(config.worker.retries),
    '--retry-delay-ms', String(config.worker.retryDelayMs),
    '--max-message-bytes', String(config.coordinator.maxMessageBytes),
    '--log-level', logLevel,
  ];
}
