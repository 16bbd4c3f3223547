/** A minimal event emitter: `on(event, fn)` returns the function that removes the listener. */
export class Emitter {
  #listeners = new Map();

  on(event, listener) {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** @internal */
  emit(event, value) {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (error) {
        // A failing listener must not break delivery to the others or the client's own state machine.
        queueMicrotask(() => { throw error; });
      }
    }
  }
}
