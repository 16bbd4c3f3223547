package dev.tandem.entities;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One validated write of a live record, the same for the REST API and the native commands.
 *
 * @param kind    create, update (replace data), patch (merge patch) or delete
 * @param policy  the collection's policy
 * @param id      the record id
 * @param version update: the version the data was edited from; patch: the base version; delete: the expected
 *                version or null; create: unused
 * @param body    create/update: the new data; patch: the merge patch; delete: null
 * @param actor   who writes
 */
public record WriteRequest(Kind kind, CollectionPolicy policy, String id, Long version, ObjectNode body, Actor actor) {

    /** What the write does. */
    public enum Kind {
        CREATE, UPDATE, PATCH, DELETE
    }
}
