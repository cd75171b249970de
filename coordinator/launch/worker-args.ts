// The `snig worker` flags (other than --connect and --name) that every launcher passes to the
// workers of a group: engine, threads, and the run's worker settings.
import type { RunConfig, WorkerGroup } from '../../common/config/schema.js';

export function workerArgs(
  config: { worker: RunConfig['worker']; coordinator: Pick<RunConfig['coordinator'], 'maxMessageBytes'> },
  group: WorkerGroup,
  logLevel: string,
): string[] {
  return [
    '--engine', group.engine,
    '--threads', String(group.threads),
    '--kernel', group.kernel,
    '--prefetch', String(config.worker.prefetch),
    '--retries', String(config.worker.retries),
    '--retry-delay-ms', String(config.worker.retryDelayMs),
    '--max-message-bytes', String(config.coordinator.maxMessageBytes),
    '--log-level', logLevel,
  ];
}
