// Gives back, once Sésame is listening, the memory its start-up used and no longer needs. Loading some 1 000 modules
// and preparing the provider, the store and the catalogue allocate fast, and V8 answers by growing its young
// generation to the maximum (2 × 16 MB on Node 20, 2 × 32 MB on Node 24) and keeping it: an idle instance stayed
// some 30 MB above its working size until V8's memory reducer ran, 30 to 60 s later (docs/performance.md,
// «Idle memory»). V8's collection of everything it can give back, a moment after start-up, does the same at once:
// on Node 24 the idle size drops from 134–138 MB to about 104 MB. Its cost is one pause, once (two collections of 76
// and 181 ms on this loaded 2-core machine). Node 20's V8 has no such collection (the option is ignored there; only
// the memory reducer shrinks it, later). A plain full collection does not help: V8 even grows the young generation
// after it, start-up's survivors being many.
import v8 from 'node:v8';
import vm from 'node:vm';

/** `flavor: 'last-resort'`: V8's collection of everything it can give back, young generation included (Node 24). */
type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** Node's `gc`, without starting the process with --expose-gc (which would also expose it to every module). */
function garbageCollector(): Gc | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as Gc;
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** Called by the process's entry point (src/main.ts) once both listeners are up; never by tests sharing a process. */
export function releaseStartUpMemory(afterMs = 1000): void {
  // A moment after listening rather than at once: start-up's last callbacks (first timers, pool connections) are done.
  setTimeout(() => garbageCollector()?.({ type: 'major', execution: 'sync', flavor: 'last-resort' }), afterMs).unref();
}
