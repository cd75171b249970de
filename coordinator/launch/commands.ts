// The argv that starts this installation's processes. The coordinator does not know where the CLI's
// files are (that would be an upward dependency): `snig run` and `snig suite` pass them
// (cli/snig-command.ts), and so do tests and benchmarks that call runCluster.

/** A program and its leading arguments, as given to spawn. */
export type CommandLine = readonly [node: string, ...args: string[]];

export interface LaunchCommands {
  /** A local worker process that waits for its settings on stdin (LocalLauncher). */
  localWorker: CommandLine;
  /** The snig CLI, for workers started by srun: `worker --connect <endpoint> ...` is appended. */
  snig: CommandLine;
}
