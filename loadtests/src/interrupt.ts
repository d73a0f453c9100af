/**
 * Ctrl-C (or SIGTERM) aborts the returned signal so a bench stops its load and cleans up what it started;
 * a second one quits at once.
 */
export function abortOnInterrupt(progress: (line: string) => void): AbortController {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    progress("interrupted: stopping and cleaning up (Ctrl-C again to quit at once)");
    controller.abort();
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  return controller;
}
