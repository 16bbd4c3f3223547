package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The JSON Schema a collection's records must satisfy; {@link #violations} lists what a document breaks.
 * Compiled once from {@code collections.<name>.schema}.
 */
@FunctionalInterface
public interface DataSchema {

    /** Each violation of {@code data} as {@code {path, message}}; empty when it conforms. */
    List<Violation> violations(JsonNode data);

    /**
     * One schema violation.
     *
     * @param path    where in the document (JSON Pointer style)
     * @param message what is wrong
     */
    record Violation(String path, String message) {
    }
}
