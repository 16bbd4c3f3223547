package dev.tandem.entities;

import dev.tandem.config.TandemConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The collections this node knows: those declared under {@code collections}, compiled once at start, plus,
 * in dev mode only, those created by a first write with the default policy ({@code reject}, read and write
 * {@code authenticated}). In production an unknown collection is {@code not_found}.
 */
public final class CollectionCatalog {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final TandemConfig config;
    private final Map<String, CollectionPolicy> collections = new ConcurrentHashMap<>();

    public CollectionCatalog(TandemConfig config) {
        this.config = config;
        config.collections().forEach((name, c) -> collections.put(name,
                CollectionPolicy.of(name, c, config.entities(), CompiledSchema.of(name, c.schema()), config.dev())));
    }

    /** The collection's policy, or null when it is unknown (and not yet created). */
    public CollectionPolicy find(String name) {
        return collections.get(name);
    }

    /** The policy for a write: known, or created now in dev mode; else {@code not_found}. */
    public CollectionPolicy forWrite(String name) {
        CollectionPolicy known = collections.get(validate(name));
        if (known != null) {
            return known;
        }
        if (!config.dev()) {
            throw unknown(name);
        }
        return collections.computeIfAbsent(name, n -> CollectionPolicy.devDefault(n, config.entities()));
    }

    /** The policy for a read: known, or (dev mode) the default a first write would create; else {@code not_found}. */
    public CollectionPolicy forRead(String name) {
        CollectionPolicy known = collections.get(validate(name));
        if (known != null) {
            return known;
        }
        if (!config.dev()) {
            throw unknown(name);
        }
        return CollectionPolicy.devDefault(name, config.entities());
    }

    /** Whether {@code name} is a well-formed collection name. */
    public static boolean wellFormed(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static String validate(String name) {
        if (!wellFormed(name)) {
            throw ProtocolException.badRequest("'collection' must be 1-64 characters of A-Z a-z 0-9 _ -");
        }
        return name;
    }

    private static ProtocolException unknown(String name) {
        return new ProtocolException(ErrorCode.NOT_FOUND, "no collection " + name);
    }
}
