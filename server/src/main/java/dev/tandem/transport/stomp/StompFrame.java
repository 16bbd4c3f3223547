package dev.tandem.transport.stomp;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One STOMP frame, inbound or outbound: a command, its headers (already unescaped; when a header repeats, the
 * first value is kept, as STOMP 1.2 says) and a body of raw bytes.
 *
 * @param command e.g. {@code SEND}, {@code MESSAGE}
 * @param headers header names to values, in wire order
 * @param body    the body, possibly empty, possibly containing NULs when a {@code content-length} was given
 */
public record StompFrame(String command, Map<String, String> headers, byte[] body) {
    private static final byte[] EMPTY = new byte[0];

    public StompFrame {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A frame without a body. */
    public static StompFrame of(String command, Map<String, String> headers) {
        return new StompFrame(command, headers, EMPTY);
    }

    /** The header's value, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
