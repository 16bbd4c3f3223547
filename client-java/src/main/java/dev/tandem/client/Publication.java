package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A sequenced event on a channel, as subscribers receive it live and as {@code history} returns it:
 * {@code publication} for plain publishes; services add their own types ({@code message.new},
 * {@code entity:updated}, ...), all sequenced the same way.
 *
 * @param type      frame type, e.g. {@code publication}
 * @param channel   the channel
 * @param seq       per-channel sequence number assigned by the server
 * @param payload   the event body
 * @param userId    who published it, or null for server-side publishes
 * @param timestamp server time in ms since the epoch
 * @param redelivered sent again because it was not confirmed in time ({@code ack: required} channels); the
 *                    listener may already have seen this seq
 */
public record Publication(String type, String channel, long seq, JsonNode payload, String userId, long timestamp,
                          boolean redelivered) {

    static Publication from(JsonNode frame) {
        return new Publication(frame.path("type").asText(), frame.path("channel").asText(), frame.path("seq").asLong(),
                frame.get("payload"), frame.path("userId").asText(null), frame.path("timestamp").asLong(),
                frame.path("redelivered").asBoolean(false));
    }
}
