package dev.tandem.transport.stomp;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Incremental STOMP 1.2 frame parser for one connection.
 *
 * <p>Design. STOMP over WebSocket does not promise one frame per WebSocket message: a client may split a frame
 * across messages or pack several frames (and bare-newline heart-beats) into one. So the parser treats the
 * inbound messages as one byte stream: {@link #feed} appends to a buffer and emits every frame that is complete,
 * keeping the rest for the next call. The invariant: {@code buffer[0, length)} always holds the unconsumed
 * suffix of the stream, starting at a frame boundary, and {@code scanned} is how far into it we have already
 * looked for the end of the headers (or for the body's NUL), so each byte is examined a bounded number of
 * times however the stream is split. A frame ends at the NUL after {@code content-length} bytes of body when
 * that header is present (the body may then contain NULs), else at the first NUL. End-of-lines between frames
 * ({@code \n} or {@code \r\n}) are heart-beats and are skipped.
 *
 * <p>Any defect (a frame longer than the limit, a header line without a colon, an undefined escape, a bad
 * content-length, a missing NUL) throws a {@code bad_request} {@link ProtocolException}: the caller answers with
 * {@code ERROR} and closes, as the protocol requires; the parser is not usable afterwards. Header values are
 * unescaped per 1.2 ({@code \r \n \c \\}) except on {@code CONNECT}/{@code STOMP} frames, which the spec
 * leaves unescaped. Not thread-safe: one parser per connection, used on its event loop.
 */
final class StompParser {
    private static final int MAX_HEADERS = 64;

    private final int maxFrameBytes;
    private byte[] buffer = new byte[256];
    private int length;
    private int scanned;
    private int bodyStart = -1;
    private String command;
    private Map<String, String> headers;
    private int contentLength = -1;

    StompParser(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Appends {@code bytes} to the stream and hands every completed frame to {@code sink}, in order. */
    void feed(byte[] bytes, Consumer<StompFrame> sink) {
        append(bytes);
        StompFrame frame;
        while ((frame = next()) != null) {
            sink.accept(frame);
        }
    }

    /** Whether a frame has started but not finished (bytes are buffered beyond heart-beats). */
    boolean isMidFrame() {
        return length > 0;
    }

    /** Grows as needed: each WebSocket message is at most the frame limit, and so is any unfinished frame. */
    private void append(byte[] bytes) {
        if (length + bytes.length > buffer.length) {
            byte[] grown = new byte[Math.max(length + bytes.length, buffer.length * 2)];
            System.arraycopy(buffer, 0, grown, 0, length);
            buffer = grown;
        }
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private StompFrame next() {
        if (bodyStart < 0) {
            skipHeartBeats();
            if (!readHead()) {
                return null;
            }
        }
        return readBody();
    }

    private void skipHeartBeats() {
        if (bodyStart >= 0) {
            return;
        }
        int start = 0;
        while (start < length) {
            if (buffer[start] == '\n') {
                start++;
            } else if (buffer[start] == '\r' && start + 1 < length && buffer[start + 1] == '\n') {
                start += 2;
            } else {
                break;
            }
        }
        consume(start);
    }

    /** Finds the blank line ending the headers; parses command and headers once it is there. */
    private boolean readHead() {
        int end = -1;
        for (int i = Math.max(scanned, 1); i < length; i++) {
            if (buffer[i] == '\n' && (buffer[i - 1] == '\n' || (buffer[i - 1] == '\r' && i >= 2 && buffer[i - 2] == '\n'))) {
                end = i + 1;
                break;
            }
            if (buffer[i] == 0) {
                throw ProtocolException.badRequest("frame ended (NUL) before the blank line that ends its headers");
            }
        }
        if (end < 0) {
            scanned = Math.max(0, length - 1);
            if (length > maxFrameBytes) {
                throw tooLarge();
            }
            return false;
        }
        parseHead(new String(buffer, 0, end, StandardCharsets.UTF_8));
        bodyStart = end;
        scanned = end;
        return true;
    }

    private void parseHead(String head) {
        String[] lines = head.split("\r?\n", -1);
        command = lines[0];
        if (command.isEmpty() || !command.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw ProtocolException.badRequest("malformed command line '" + StompHeaders.printable(command) + "'");
        }
        boolean escaped = !command.equals("CONNECT") && !command.equals("STOMP");
        headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw ProtocolException.badRequest("header line without 'name:value': '" + StompHeaders.printable(lines[i]) + "'");
            }
            if (headers.size() == MAX_HEADERS) {
                throw ProtocolException.badRequest("more than " + MAX_HEADERS + " headers");
            }
            String name = lines[i].substring(0, colon);
            String value = lines[i].substring(colon + 1);
            headers.putIfAbsent(escaped ? StompHeaders.unescape(name) : name, escaped ? StompHeaders.unescape(value) : value);
        }
        contentLength = contentLength(headers.get("content-length"));
    }

    private int contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            int value = Integer.parseInt(header.trim());
            if (value < 0) {
                throw ProtocolException.badRequest("content-length must not be negative");
            }
            if (value > maxFrameBytes) {
                throw tooLarge();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ProtocolException.badRequest("content-length '" + StompHeaders.printable(header) + "' is not a number");
        }
    }

    private StompFrame readBody() {
        int end;
        if (contentLength >= 0) {
            end = bodyStart + contentLength;
            if (length <= end) {
                return null;
            }
            if (buffer[end] != 0) {
                throw ProtocolException.badRequest("no NUL after the " + contentLength + " body bytes of content-length");
            }
        } else {
            end = indexOfNul(Math.max(scanned, bodyStart));
            if (end < 0) {
                scanned = length;
                if (length > maxFrameBytes) {
                    throw tooLarge();
                }
                return null;
            }
        }
        byte[] body = new byte[end - bodyStart];
        System.arraycopy(buffer, bodyStart, body, 0, body.length);
        StompFrame frame = new StompFrame(command, headers, body);
        bodyStart = -1;
        command = null;
        headers = null;
        contentLength = -1;
        consume(end + 1);
        return frame;
    }

    private int indexOfNul(int from) {
        for (int i = from; i < length; i++) {
            if (buffer[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private void consume(int count) {
        if (count == 0) {
            return;
        }
        System.arraycopy(buffer, count, buffer, 0, length - count);
        length -= count;
        scanned = 0;
    }

    private ProtocolException tooLarge() {
        return new ProtocolException(ErrorCode.TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes");
    }
}
