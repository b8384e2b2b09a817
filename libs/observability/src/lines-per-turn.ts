interface LineDestination {
  write(data: string): unknown;
  flush?(cb?: (err?: Error) => void): void;
  flushSync?(): void;
}

/**
 * Collects the lines written during one turn of the event loop and hands them to the destination as
 * one string in `setImmediate`, after that turn's I/O callbacks. Under load every request writes an
 * access line, and each write of pino's asynchronous destination was a write on the libuv thread pool
 * plus its completion callback: a noticeable share of the api's CPU per order (issue 17). Nothing
 * waits longer than the turn it was logged in; on `exit` (process.exit after a fatal error or the
 * shutdown's last line) the pending lines go out synchronously.
 */
export class LinesPerTurn {
  private pending = '';
  private out: LineDestination | undefined;

  constructor() {
    process.on('exit', () => {
      try {
        // nothing runs after 'exit': a write handed to the thread pool now (SonicBoom, sync: false, idle)
        // may never reach the descriptor, and flushSync does not redo a write already in flight
        const out = this.out as (LineDestination & { sync?: boolean }) | undefined;
        if (out && typeof out.sync === 'boolean') out.sync = true;
        this.flushNow();
        this.out?.flushSync?.();
      } catch {
        // stdout gone (EPIPE) or not writable: nothing left to tell anyone on the way out
      }
    });
  }

  into(out: LineDestination): void {
    this.out = out;
  }

  write(line: string): boolean {
    if (this.pending === '') setImmediate(this.flushNow);
    this.pending += line;
    return true;
  }

  /** pino's `logger.flush(cb)`: this turn's lines, then the destination's buffer. */
  flush(cb?: (err?: Error) => void): void {
    this.flushNow();
    if (this.out?.flush) this.out.flush(cb);
    else cb?.();
  }

  private readonly flushNow = (): void => {
    if (this.pending === '' || !this.out) return;
    const text = this.pending;
    this.pending = '';
    this.out.write(text);
  };
}
