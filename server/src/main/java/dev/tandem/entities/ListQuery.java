package dev.tandem.entities;

import dev.tandem.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A page request of {@code GET /api/collections/{c}}: field-equality filters on top-level {@code data}
 * fields, a sort on {@code id}, {@code createdAt} or {@code updatedAt} ({@code -} prefix for descending),
 * a page size and an opaque cursor from the previous page.
 *
 * @param filters    field → required value as text (compared with the field's JSON text: {@code status=open},
 *                   {@code total=40}, {@code done=true})
 * @param sort       sort key
 * @param descending sort direction
 * @param limit      page size
 * @param after      where the previous page ended, or null for the first page
 */
public record ListQuery(Map<String, String> filters, Sort sort, boolean descending, int limit, Cursor after) {

    /** Sortable record attributes (indexed columns). */
    public enum Sort {
        id("id"), createdAt("created_at"), updatedAt("updated_at");

        private final String column;

        Sort(String column) {
            this.column = column;
        }

        String column() {
            return column;
        }

        long valueOf(EntityRecord r) {
            return this == createdAt ? r.createdAt() : r.updatedAt();
        }
    }

    /**
     * A position in a sorted listing: the last record's sort value and id.
     *
     * @param value the sort value (unused for {@code id} order)
     * @param id    the record id
     */
    public record Cursor(long value, String id) {
        /** The opaque form handed to clients. */
        public String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((value + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        public static Cursor decode(String text) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = plain.indexOf(':');
                return new Cursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw ProtocolException.badRequest("'cursor' is not a cursor this server handed out");
            }
        }

        static Cursor of(Sort sort, EntityRecord r) {
            return new Cursor(sort == Sort.id ? 0 : sort.valueOf(r), r.id());
        }
    }
}
