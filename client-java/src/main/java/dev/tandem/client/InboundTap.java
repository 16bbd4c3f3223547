package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Sees each server frame before the client processes it and returns the frames to process instead: none to
 * drop it, two to duplicate it. For tests and fault drills that simulate a lossy or repeating network against
 * a real server; the default passes every frame through.
 */
@FunctionalInterface
interface InboundTap {
    InboundTap NONE = List::of;

    List<JsonNode> tap(JsonNode frame);
}
