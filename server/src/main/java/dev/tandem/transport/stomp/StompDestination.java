package dev.tandem.transport.stomp;

import dev.tandem.hub.ChannelName;
import dev.tandem.protocol.ProtocolException;

/**
 * Maps STOMP destinations onto Tandem channels, so a STOMP client and a native client meet on the same channel
 * (docs/stomp.md is the reference):
 * <ul>
 *   <li>{@code /topic/NAME}, {@code /queue/NAME}, and for {@code SEND} also {@code /app/NAME}: the channel is
 *       {@code NAME} when it contains a {@code :}; otherwise its first {@code .} becomes the namespace separator
 *       ({@code /topic/chat.general} and {@code /topic/chat:general} are both {@code chat:general}); a name with
 *       neither is a channel without namespace;</li>
 *   <li>{@code /user/queue/…} and {@code /user/topic/…}: the connection's own private channel {@code user:ID};
 *       {@code SEND} to {@code /user/NAME/queue/…} publishes to {@code user:NAME};</li>
 *   <li>a destination not starting with {@code /} is taken as a channel name as it is.</li>
 * </ul>
 * The result is checked by {@link ChannelName#validate}; anything else is a {@code bad_request}. The reverse
 * of the rule, for a server that wants to tell STOMP clients where to listen, is {@code /topic/} + channel.
 */
record StompDestination(String destination, String channel) {
    static final String TOPIC = "/topic/";
    static final String QUEUE = "/queue/";
    static final String APP = "/app/";
    static final String USER = "/user/";

    /** Whether messages go to one subscriber of the group ({@code /queue/…}) rather than to all. */
    boolean isQueue() {
        return destination.startsWith(QUEUE);
    }

    /** The channel a {@code SUBSCRIBE} to {@code destination} listens on, for the connection of {@code userId}. */
    static StompDestination forSubscribe(String destination, String userId) {
        required(destination);
        if (destination.startsWith(USER)) {
            String rest = destination.substring(USER.length());
            if (!rest.startsWith("queue/") && !rest.startsWith("topic/")) {
                throw ProtocolException.badRequest("subscribe to /user/queue/… (your own private channel), not " + shown(destination));
            }
            return new StompDestination(destination, ChannelName.validate("user:" + userId));
        }
        if (destination.startsWith(APP)) {
            throw ProtocolException.badRequest("/app/… destinations take SEND only; subscribe to /topic/… instead");
        }
        return new StompDestination(destination, channelOf(destination));
    }

    /** The channel a {@code SEND} to {@code destination} publishes to. */
    static StompDestination forSend(String destination, String userId) {
        required(destination);
        if (destination.startsWith(USER)) {
            String rest = destination.substring(USER.length());
            int slash = rest.indexOf('/');
            String target = slash < 0 ? "" : rest.substring(0, slash);
            if (target.isEmpty() || target.equals("queue") || target.equals("topic")) {
                target = userId;
            }
            return new StompDestination(destination, ChannelName.validate("user:" + target));
        }
        if (destination.startsWith(APP)) {
            return new StompDestination(destination, mapped(destination.substring(APP.length()), destination));
        }
        return new StompDestination(destination, channelOf(destination));
    }

    private static String channelOf(String destination) {
        if (destination.startsWith(TOPIC)) {
            return mapped(destination.substring(TOPIC.length()), destination);
        }
        if (destination.startsWith(QUEUE)) {
            return mapped(destination.substring(QUEUE.length()), destination);
        }
        if (destination.startsWith("/")) {
            throw ProtocolException.badRequest("unknown destination " + shown(destination)
                    + "; use /topic/…, /queue/…, /user/queue/…, /app/… or a channel name");
        }
        return validated(destination, destination);
    }

    private static String mapped(String name, String destination) {
        return validated(namespaced(name), destination);
    }

    /** The mapping rule's core: {@code NAME} as it is when it contains a {@code :}, else its first {@code .} as one. */
    static String namespaced(String name) {
        return name.indexOf(':') < 0 ? name.replaceFirst("\\.", ":") : name;
    }

    private static String validated(String channel, String destination) {
        try {
            return ChannelName.validate(channel);
        } catch (ProtocolException e) {
            throw ProtocolException.badRequest("destination " + shown(destination) + " is not a valid channel: " + e.getMessage());
        }
    }

    private static void required(String destination) {
        if (destination == null || destination.isEmpty()) {
            throw ProtocolException.badRequest("a 'destination' header is required");
        }
    }

    private static String shown(String destination) {
        return "'" + StompHeaders.printable(destination) + "'";
    }
}
