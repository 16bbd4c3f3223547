package dev.tandem.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run atomically in Redis by its SHA-1 ({@code EVALSHA}), sent in full ({@code EVAL}) only when
 * Redis does not know it yet (first use, or after a Redis restart flushed the script cache). Scripts are how
 * cluster state changes stay atomic (read before, write, read after) in one round trip.
 */
public final class RedisScript {
    private static final String[] NO_KEYS = new String[0];

    private final String source;
    private final String sha;

    public RedisScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    /** Runs the script with no declared keys (it derives them from its arguments; see the stores' docs). */
    public <T> CompletionStage<T> run(RedisAsyncCommands<String, String> redis, ScriptOutputType type, String... args) {
        CompletionStage<T> first = redis.evalsha(sha, type, NO_KEYS, args);
        return first.exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof RedisNoScriptException) {
                return redis.eval(source, type, NO_KEYS, args);
            }
            return java.util.concurrent.CompletableFuture.failedStage(cause);
        });
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
