// Time as the flows see it: the current time and a way to wait. Injected, so that tests prove waits by the deadlines
// asked for rather than by measuring durations.
export interface Clock {
  now(): number;
  /** Resolves once `now()` has reached `deadline` (at once when it already has). */
  sleepUntil(deadline: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (deadline) => {
    const wait = deadline - Date.now();
    return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
  },
};
