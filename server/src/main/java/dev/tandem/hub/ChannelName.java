package dev.tandem.hub;

import dev.tandem.protocol.ProtocolException;

/**
 * The rules for channel names: 1 to 255 characters from {@code [A-Za-z0-9_:/.@=,-]}, namespace before the
 * first {@code :}. Checked at every entry point (any transport, the HTTP API) before a channel is touched.
 */
public final class ChannelName {
    public static final int MAX_LENGTH = 255;

    private ChannelName() {
    }

    /** Returns the name when valid, otherwise throws a {@code bad_request} saying what is wrong. */
    public static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw ProtocolException.badRequest("channel name must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw ProtocolException.badRequest("channel name is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!allowed(name.charAt(i))) {
                throw ProtocolException.badRequest(
                        "channel name may only contain A-Z a-z 0-9 and _:/.@=,- (found '" + printable(name.charAt(i)) + "')");
            }
        }
        return name;
    }

    /** The namespace: the part before the first {@code :}, or empty. */
    public static String namespace(String name) {
        int colon = name.indexOf(':');
        return colon < 0 ? "" : name.substring(0, colon);
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "_:/.@=,-".indexOf(c) >= 0;
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
