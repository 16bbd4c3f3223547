package dev.tandem.transport.stomp;

import dev.tandem.protocol.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes server frames: command line, escaped headers (unescaped on {@code CONNECTED}, as 1.2 says), a blank
 * line, the body and the NUL. Also builds the few frames the server sends on its own ({@code RECEIPT},
 * {@code ERROR}).
 */
final class StompEncoder {
    private StompEncoder() {
    }

    static byte[] encode(StompFrame frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + frame.body().length);
        writeHead(out, frame.command(), frame.headers(), !frame.command().equals("CONNECTED"));
        out.write('\n');
        out.writeBytes(frame.body());
        out.write(0);
        return out.toByteArray();
    }

    /** The command line and headers, each line ending in {@code \n}, without the blank line. */
    static void writeHead(ByteArrayOutputStream out, String command, Map<String, String> headers, boolean escape) {
        out.writeBytes(command.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        headers.forEach((name, value) -> writeHeader(out, name, value, escape));
    }

    static void writeHeader(ByteArrayOutputStream out, String name, String value, boolean escape) {
        String line = (escape ? StompHeaders.escape(name) : name) + ":" + (escape ? StompHeaders.escape(value) : value) + "\n";
        out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] receipt(String receiptId, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("receipt-id", receiptId);
        headers.putAll(extra);
        return encode(StompFrame.of("RECEIPT", headers));
    }

    /** An {@code ERROR} with a short {@code message} header and the same text as a plain-text body. */
    static byte[] error(String message, String receiptId) {
        return error(null, message, receiptId);
    }

    /** As {@link #error(String, String)}, with the native error code as {@code tandem-code} (when not null). */
    static byte[] error(ErrorCode code, String message, String receiptId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("message", message.length() > 200 ? message.substring(0, 200) : message);
        if (code != null) {
            headers.put("tandem-code", code.wireName());
        }
        if (receiptId != null) {
            headers.put("receipt-id", receiptId);
        }
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        headers.put("content-type", "text/plain;charset=utf-8");
        headers.put("content-length", Integer.toString(body.length));
        return encode(new StompFrame("ERROR", headers, body));
    }
}
