package dev.tandem.transport.stomp;

import dev.tandem.protocol.ProtocolException;

/**
 * Header value escaping of STOMP 1.2: {@code \r}, {@code \n}, {@code :} and {@code \} travel as {@code \r},
 * {@code \n}, {@code \c} and {@code \\}; any other backslash sequence is a protocol error.
 */
final class StompHeaders {
    private StompHeaders() {
    }

    static String escape(String value) {
        if (!needsEscape(value)) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case ':' -> out.append("\\c");
                case '\\' -> out.append("\\\\");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String unescape(String value) {
        if (value.indexOf('\\') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 == value.length()) {
                throw ProtocolException.badRequest("header ends with a lone backslash");
            }
            char next = value.charAt(++i);
            switch (next) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 'c' -> out.append(':');
                case '\\' -> out.append('\\');
                default -> throw ProtocolException.badRequest("undefined header escape '\\" + printable(String.valueOf(next)) + "'");
            }
        }
        return out.toString();
    }

    /** A client-supplied string safe to put in an error message: control characters shown as {@code \\uXXXX}, cut at 80. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 80; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return text.length() > 80 ? out + "…" : out.toString();
    }

    private static boolean needsEscape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == ':' || c == '\\') {
                return true;
            }
        }
        return false;
    }
}
