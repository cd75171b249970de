// The suite's default way to run a benchmark: `snig run <run-config.json>` in a child process (a crash
// of one run cannot take the suite down). Shard progress comes from the child's JSON log lines that
// carry `shardsDone` and `shardsTotal`; its output is kept in run.log beside the report.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { RunBenchmark } from './run-suite.js';
import { snigCommand } from './snig-command.js';

function shardProgress(line: string): { done: number; total: number } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { shardsDone?: unknown; shardsTotal?: unknown };
    const { shardsDone, shardsTotal } = entry;
    return typeof shardsDone === 'number' && typeof shardsTotal === 'number' ? { done: shardsDone, total: shardsTotal } : undefined;
  } catch {
    return undefined;
  }
}

export const spawnRun: RunBenchmark = async (run, onShard) => {
  const [command, ...args] = snigCommand();
  const log = createWriteStream(join(run.config.out, 'run.log'));
  const child = spawn(command!, [...args, 'run', run.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      tail.push(line);
      if (tail.length > 10) tail.shift();
      const progress = shardProgress(line);
      if (progress) onShard(progress.done, progress.total);
    });
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  await new Promise((resolve) => log.end(resolve));
  // A FAILED verification still writes its report (and the suite shows it); no report means a crash.
  if (!existsSync(join(run.config.out, 'report.json'))) {
    const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
    throw new Error(`snig run ${how} without a report (log: ${join(run.config.out, 'run.log')}):\n${tail.join('\n')}`);
  }
};
