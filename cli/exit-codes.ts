// The exit statuses of `snig`, in one place (README, "Exit codes"): scripts and CI tell a wrong
// answer from a bad command line by them.
export const EXIT = {
  /** Done; a verified answer PASSED (or there was no truth to verify against). */
  ok: 0,
  /** A wrong or partial answer: FAILED, or a run ABORTED before every row was computed. */
  failed: 1,
  /** Bad usage, configuration or input files: nothing was computed. */
  usage: 2,
  /** A worker could not reach its coordinator. */
  unreachable: 3,
  /** Interrupted (Ctrl-C): 128 + SIGINT. */
  interrupted: 130,
} as const;
