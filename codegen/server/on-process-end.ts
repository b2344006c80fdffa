const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `cleanup` (synchronous: nothing async runs at exit) once, when the process exits or is stopped by
 * SIGINT, SIGTERM or SIGHUP. A handler for a signal replaces Node's default of dying, so after cleaning up it
 * raises the signal again with its handlers removed: the process still dies of it, and the parent (a shell, npx,
 * the test runner) sees the usual status, 130 for Ctrl-C. If the program has signal handlers of its own, they decide:
 * ours goes first (prepended) and counts them before anything runs, since Node removes a `process.once` handler
 * before calling it, and a host's async shutdown registered that way must not be cut short.
 */
export function onProcessEnd(cleanup: () => void): void {
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      cleanup();
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const hostHandlers = process.listenerCount(signal) - 1;
    once();
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    if (hostHandlers === 0) process.kill(process.pid, signal);
  };
  process.once('exit', once);
  for (const s of SIGNALS) process.prependListener(s, onSignal);
}
