package dev.tandem.config;

/**
 * Live records: limits and the defaults every collection starts from.
 *
 * @param maxDocumentBytes largest {@code data} of a record, in UTF-8 bytes of its JSON; larger → {@code too_large}
 * @param historyDepth     versions of each record kept as bases for three-way merges, unless a collection says otherwise
 * @param listLimit        largest page of {@code GET /api/collections/{c}} (and its default)
 */
public record EntitiesConfig(int maxDocumentBytes, int historyDepth, int listLimit) {
}
