package dev.tandem.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request as endpoints see it: decoded path and query, headers, and the aggregated body.
 *
 * @param method  request method
 * @param path    decoded path without the query
 * @param query   decoded query parameters
 * @param headers request headers
 * @param body    request body bytes (empty when none)
 * @param remoteAddress the peer's address, for per-address limits and auth failure logs
 */
public record HttpExchange(HttpMethod method, String path, Map<String, List<String>> query, HttpHeaders headers,
                           byte[] body, String remoteAddress) {

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body as a JSON object; anything else is a {@code bad_request} saying what is wrong. */
    public JsonNode jsonObject() {
        try {
            JsonNode parsed = FrameCodec.JSON.readTree(body);
            if (parsed == null || !parsed.isObject()) {
                throw ProtocolException.badRequest("the body must be a JSON object");
            }
            return parsed;
        } catch (JsonProcessingException e) {
            throw ProtocolException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProtocolException.badRequest("unreadable body: " + e.getMessage());
        }
    }
}
