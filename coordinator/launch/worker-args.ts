// The `snig worker` settings (other than --connect and --name) that every launcher passes to the
// workers of a group: which group they are (their engine options come in `welcome`), and the run's
// worker settings; as an object (the local launcher's workers take it as JSON) or as flags.
import type { RunConfig } from '../../common/config/schema.js';

export interface WorkerSettings {
  group: number; // index in the run config's `workers`
  prefetch: number;
  retries: number;
  retryDelayMs: number;
  maxMessageBytes: number;
  logLevel: string;
}

/** The settings of a worker of group `group`, from the run config. */
export function workerSettings(
  config: { worker: RunConfig['worker']; coordinator: Pick<RunConfig['coordinator'], 'maxMessageBytes'> },
  group: number,
  logLevel: string,
): WorkerSettings {
  const { prefetch, retries, retryDelayMs } = config.worker;
  return { group, prefetch, retries, retryDelayMs, maxMessageBytes: config.coordinator.maxMessageBytes, logLevel };
}

/** The same settings as `snig worker` flags. */
export function workerArgs(...settings: Parameters<typeof workerSettings>): string[] {
  const s = workerSettings(...settings);
  return [
    '--group', String(s.group),
    '--prefetch', String(s.prefetch),
    '--retries', String(s.retries),
    '--retry-delay-ms', String(s.retryDelayMs),
    '--max-message-bytes', String(s.maxMessageBytes),
    '--log-level', s.logLevel,
  ];
}
