package dev.tandem.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JWKS URL whose keys are fetched on a thread of its own and never by the caller: token verification runs on
 * event loops, which must not wait on the network. The set is fetched at start and every {@link #REFRESH};
 * a token whose {@code kid} is not in the cached set (a key rotation) or a lookup before the first fetch
 * succeeded asks for an early fetch (at most one per {@link #MIN_REFETCH}) and is refused for now with a
 * retryable reason. The last good set is kept while the URL fails (outage tolerance).
 */
final class RemoteJwks implements JWKSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);
    static final Duration REFRESH = Duration.ofMinutes(5);
    static final Duration MIN_REFETCH = Duration.ofSeconds(2);
    private static final int TIMEOUT_MILLIS = 5000;
    private static final int SIZE_LIMIT = 512 * 1024;

    private final URL url;
    private final AtomicReference<JWKSet> current = new AtomicReference<>();
    private final AtomicBoolean fetching = new AtomicBoolean();
    private final AtomicBoolean refetchPending = new AtomicBoolean();
    private final AtomicLong lastFetchStart = new AtomicLong(Long.MIN_VALUE / 2);
    private final ScheduledExecutorService fetcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tandem-jwks-fetch");
        t.setDaemon(true);
        return t;
    });

    RemoteJwks(URL url) {
        this.url = url;
        fetcher.scheduleWithFixedDelay(this::fetch, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits (at start only, never on an event loop) for the first fetch to finish; false on timeout. */
    boolean awaitFirstFetch(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (current.get() == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return current.get() != null;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        JWKSet set = current.get();
        if (set == null) {
            refetchSoon();
            throw new KeySourceException("JWKS from " + url + " is not loaded yet");
        }
        List<JWK> keys = selector.select(set);
        if (keys.isEmpty()) {
            refetchSoon();
        }
        return keys;
    }

    /**
     * Asks the fetch thread for a fetch as soon as {@link #MIN_REFETCH} has passed since the last one; requests
     * made while one is pending are folded into it.
     */
    private void refetchSoon() {
        if (!refetchPending.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(0, lastFetchStart.get() + MIN_REFETCH.toNanos() - System.nanoTime());
        fetcher.schedule(() -> {
            refetchPending.set(false);
            fetch();
        }, wait, TimeUnit.NANOSECONDS);
    }

    private void fetch() {
        if (!fetching.compareAndSet(false, true)) {
            return;
        }
        lastFetchStart.set(System.nanoTime());
        try {
            current.set(JWKSet.load(url, TIMEOUT_MILLIS, TIMEOUT_MILLIS, SIZE_LIMIT));
        } catch (Exception e) {
            LOG.warn("JWKS fetch from {} failed ({}); keeping the last good keys", url, e.getMessage());
        } finally {
            fetching.set(false);
        }
    }
}
