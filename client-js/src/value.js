/**
 * A value that can be read now and watched for changes: `get()` returns the current value, `subscribe(fn)`
 * calls `fn` with it at once and again on every change, and returns the function that stops watching.
 */
export class Value {
  #value;
  #watchers = new Set();

  constructor(initial) {
    this.#value = initial;
  }

  get() {
    return this.#value;
  }

  subscribe(watcher) {
    this.#watchers.add(watcher);
    watcher(this.#value);
    return () => this.#watchers.delete(watcher);
  }

  /** @internal only the owner sets the value; watchers see each distinct value once. */
  set(value) {
    if (Object.is(value, this.#value)) return;
    this.#value = value;
    for (const watcher of [...this.#watchers]) watcher(value);
  }
}
