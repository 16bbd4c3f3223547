package dev.tandem.ops;

/**
 * One named dependency that {@code /health/ready} reports on (the server itself, the store, Redis, ...).
 * {@link #check} runs on an event loop for every probe, so it must not block: a component that needs I/O to
 * know its state probes in the background and returns the last result here.
 */
public interface HealthCheck {
    /** Short stable name shown in the probe body, e.g. {@code store}. */
    String name();

    Result check();

    /**
     * A check's outcome.
     *
     * @param up     whether the dependency can serve
     * @param detail why not (or a short note), null when there is nothing to say
     */
    record Result(boolean up, String detail) {
        public static Result healthy() {
            return new Result(true, null);
        }

        public static Result down(String detail) {
            return new Result(false, detail);
        }
    }
}
