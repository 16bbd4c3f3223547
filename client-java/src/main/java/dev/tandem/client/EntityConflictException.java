package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A live-record write based on a version that is no longer current and that the collection's conflict
 * strategy could not apply ({@code conflict}): carries the record the server holds now and, for a
 * {@code merge} collection, the fields both sides changed. Retry on top of {@link #current()}.
 */
public final class EntityConflictException extends TandemException {
    private final transient EntityRecord current;
    private final transient List<FieldConflict> fields;

    EntityConflictException(TandemException refusal) {
        super(refusal.code(), refusal.getMessage().substring(refusal.code().length() + 2), refusal.httpStatus(), null,
                refusal.retryAfter(), refusal.details());
        JsonNode details = refusal.details();
        this.current = details == null ? null : EntityRecord.from(details.get("current"));
        List<FieldConflict> list = new ArrayList<>();
        if (details != null) {
            details.path("fields").forEach(f -> list.add(new FieldConflict(f.path("path").asText(), f.get("base"),
                    f.get("mine"), f.get("theirs"))));
        }
        this.fields = List.copyOf(list);
    }

    /** The record the server holds now; empty when it was deleted meanwhile. */
    public Optional<EntityRecord> current() {
        return Optional.ofNullable(current);
    }

    /** The overlapping fields of a {@code merge} collection; empty otherwise. */
    public List<FieldConflict> fields() {
        return fields;
    }

    /** A {@code conflict} refusal becomes an {@link EntityConflictException}; anything else is returned as is. */
    static Throwable specific(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof TandemException t && !(t instanceof EntityConflictException) && "conflict".equals(t.code())) {
            return new EntityConflictException(t);
        }
        return cause;
    }

    /**
     * One field both the writer and someone else changed since the writer's base version.
     *
     * @param path   {@code /}-separated path inside {@code data}, e.g. {@code address/city}
     * @param base   the value in the base version (null when absent)
     * @param mine   the value the writer sent
     * @param theirs the value stored now
     */
    public record FieldConflict(String path, JsonNode base, JsonNode mine, JsonNode theirs) {
    }
}
