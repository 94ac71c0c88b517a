/**
 * Turns signals and wake-ups into loop events. Unlike the reference's
 * one-slot channel nothing is dropped: a stop request is sticky, and
 * lifecycle and heartbeat requests are flags that coalesce.
 *
 * @module
 */

/** What the daemon loop should do next. */
export type LoopEvent = "stop" | "lifecycle" | "heartbeat" | "events";

/** A small event queue the loop waits on. */
export class SignalQueue {
  #stop = false;
  #lifecycle = false;
  #heartbeat = false;
  #events = false;
  #waiter: (() => void) | null = null;

  /** True once a stop was requested. */
  get stopping(): boolean {
    return this.#stop;
  }

  /** Records a request and wakes the loop. */
  push(event: LoopEvent): void {
    if (event === "stop") this.#stop = true;
    else if (event === "lifecycle") this.#lifecycle = true;
    else if (event === "heartbeat") this.#heartbeat = true;
    else this.#events = true;
    this.#waiter?.();
  }

  /** Takes the most urgent pending request, if any. */
  take(): LoopEvent | null {
    if (this.#stop) return "stop";
    if (this.#heartbeat) {
      this.#heartbeat = false;
      return "heartbeat";
    }
    if (this.#lifecycle) {
      this.#lifecycle = false;
      return "lifecycle";
    }
    if (this.#events) {
      this.#events = false;
      return "events";
    }
    return null;
  }

  /** Waits until a request arrives or `ms` pass. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiter = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#waiter = done;
    });
  }
}
