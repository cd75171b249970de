// The exit statuses of `snig`, in one place (README, "Exit codes"): scripts and CI tell a wrong
// answer from a bad command line by them. In common/: the worker's core (worker/core.ts) decides its own.
export const EXIT = {
  /** Done; a verified answer PASSED (or there was no truth to verify against). */
  ok: 0,
  /** A wrong or partial answer: FAILED, or a run ABORTED before every row was computed. */
  failed: 1,
  /** Bad usage, configuration or input files: nothing was computed. */
  usage: 2,
  /** A worker could not reach its coordinator. */
  unreachable: 3,
  /** A worker's coordinator is gone: its connection closed and did not come back, or `snig run` ended. */
  gone: 4,
  /** Interrupted (Ctrl-C): 128 + SIGINT. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = [
  'Exit status:',
  `  ${EXIT.ok}    done; the answer PASSED (or there was no truth to check)`,
  `  ${EXIT.failed}    FAILED: a wrong or partial answer (or an ABORTED run)`,
  `  ${EXIT.usage}    bad usage, configuration or input files; nothing computed`,
  `  ${EXIT.unreachable}    snig worker: the coordinator could not be reached`,
  `  ${EXIT.gone}    snig worker: the coordinator is gone (its connection closed)`,
  `  ${EXIT.interrupted}  interrupted (Ctrl-C)`,
].join('\n');
