package dev.tandem.entities;

import dev.tandem.protocol.ErrorCode;
import java.util.List;

/**
 * What a write came to inside its transaction: the stored record, or a refusal that changed nothing.
 *
 * @param record    the record as committed (for a delete: as it was, with the delete's version), or null
 * @param refusal   why nothing was written, or null
 */
public record WriteOutcome(EntityRecord record, Refusal refusal) {

    static WriteOutcome done(EntityRecord record) {
        return new WriteOutcome(record, null);
    }

    static WriteOutcome refused(ErrorCode code, String message, EntityRecord current) {
        return new WriteOutcome(null, new Refusal(code, message, current, List.of(), List.of()));
    }

    static WriteOutcome invalid(String message, List<DataSchema.Violation> violations) {
        return new WriteOutcome(null, new Refusal(ErrorCode.INVALID, message, null, List.of(), List.copyOf(violations)));
    }

    static WriteOutcome conflicts(String message, EntityRecord current, List<ThreeWayMerge.FieldConflict> fields) {
        return new WriteOutcome(null, new Refusal(ErrorCode.CONFLICT, message, current, fields, List.of()));
    }

    /**
     * A refused write.
     *
     * @param code    the error code ({@code conflict}, {@code not_found}, {@code forbidden}, {@code too_large}, {@code invalid})
     * @param message what went wrong
     * @param current the stored record the client should see, or null
     * @param fields  for a failed merge, the overlapping fields
     * @param violations for {@code invalid}, what the data breaks in the collection's schema
     */
    public record Refusal(ErrorCode code, String message, EntityRecord current, List<ThreeWayMerge.FieldConflict> fields,
                          List<DataSchema.Violation> violations) {
    }
}
