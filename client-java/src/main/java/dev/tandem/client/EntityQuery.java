package dev.tandem.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which records to list: equality filters on top-level {@code data} fields (compared as text, e.g.
 * {@code status=open}), a sort ({@code id}, {@code createdAt} or {@code updatedAt}, {@code -} first for
 * descending), a page size and the cursor of a previous page. Immutable; each method returns a new query.
 *
 * @param filters field → value the records must have
 * @param sort    the sort key, or null for the server's default ({@code id})
 * @param limit   page size, or 0 for the server's default
 * @param cursor  {@link EntityPage#next()} of the previous page, or null for the first
 */
public record EntityQuery(Map<String, String> filters, String sort, int limit, String cursor) {
    public EntityQuery {
        filters = Map.copyOf(filters);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
    }

    /** Every record, in the server's default order and page size. */
    public static EntityQuery all() {
        return new EntityQuery(Map.of(), null, 0, null);
    }

    public EntityQuery where(String field, Object value) {
        Map<String, String> more = new LinkedHashMap<>(filters);
        more.put(field, String.valueOf(value));
        return new EntityQuery(more, sort, limit, cursor);
    }

    public EntityQuery sort(String sort) {
        return new EntityQuery(filters, sort, limit, cursor);
    }

    public EntityQuery limit(int limit) {
        return new EntityQuery(filters, sort, limit, cursor);
    }

    public EntityQuery cursor(String cursor) {
        return new EntityQuery(filters, sort, limit, cursor);
    }

    String toQueryString() {
        StringBuilder query = new StringBuilder();
        filters.forEach((field, value) -> append(query, field, value));
        if (sort != null) {
            append(query, "sort", sort);
        }
        if (limit > 0) {
            append(query, "limit", Integer.toString(limit));
        }
        if (cursor != null) {
            append(query, "cursor", cursor);
        }
        return query.toString();
    }

    private static void append(StringBuilder query, String name, String value) {
        query.append(query.length() == 0 ? "?" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
