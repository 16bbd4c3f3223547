package dev.tandem.hub;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.store.StoredEvent;

/**
 * Turns a stored event into the frame subscribers get: {@code {type, channel, seq, payload, userId,
 * timestamp}} with the stored payload spliced in as is and the creation time as {@code timestamp}, so the
 * live frame, a recovery replay and a history page carry the very same event.
 */
final class DurableFrames {
    private DurableFrames() {
    }

    static Publication publication(StoredEvent event, Delivery delivery) {
        ObjectNode frame = FrameCodec.envelope(event.type(), null, event.channel());
        frame.put("seq", event.seq());
        frame.putRawValue("payload", new RawValue(event.payload()));
        if (event.userId() != null) {
            frame.put("userId", event.userId());
        }
        return new Publication(event.seq(), event.createdAt(), FrameCodec.encodeAt(frame, event.createdAt()), delivery);
    }
}
