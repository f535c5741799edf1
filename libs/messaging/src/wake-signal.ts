/**
 * Lets a polling loop sleep until its next round *or* until someone has news
 * for it (a commit that wrote outbox rows, a reconnect, a stop request). A
 * nudge that arrives while the loop is busy is remembered, so the next wait
 * returns at once and no news is missed.
 */
export class WakeSignal {
  private pending = false;
  private wakeUp: (() => void) | undefined;

  nudge(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }

  /** Resolves after `ms`, or earlier on nudge(). */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
