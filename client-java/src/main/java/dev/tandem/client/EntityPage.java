package dev.tandem.client;

import java.util.List;

/**
 * One page of a collection listing ({@code GET /api/collections/{c}}).
 *
 * @param records the records of the page, in the query's sort order
 * @param next    the cursor of the next page ({@link EntityQuery#cursor}), or null on the last page
 */
public record EntityPage(List<EntityRecord> records, String next) {
    public boolean hasNext() {
        return next != null;
    }
}
