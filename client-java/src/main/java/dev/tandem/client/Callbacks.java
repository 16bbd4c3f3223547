package dev.tandem.client;

import java.util.function.Consumer;

/**
 * Calls application callbacks so that one that throws is logged and cannot break the SDK's event thread or
 * keep the other listeners from hearing the event.
 */
final class Callbacks {
    private static final System.Logger LOG = System.getLogger(Callbacks.class.getName());

    private Callbacks() {
    }

    static <T> void each(Iterable<T> listeners, Consumer<T> callback, String what) {
        for (T listener : listeners) {
            run(() -> callback.accept(listener), what);
        }
    }

    static void run(Runnable callback, String what) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, what + " threw", e);
        }
    }
}
