package dev.tandem.bench;

/**
 * What the load generator needs to know about one server's wire protocol: where to connect, how to subscribe
 * and publish, and how to recognise a subscribe acknowledgement and a delivered message. Lets the same
 * generator, with the same timing code, drive Tandem and its peers.
 */
interface Dialect {
    /** Display name, e.g. {@code tandem}. */
    String name();

    /** WebSocket path and query for connection {@code index}. */
    String path(int index);

    /** Frame to send right after the WebSocket opens, or null. */
    String onOpen();

    String subscribe(String channel, int requestId);

    String publish(String channel, String payloadJson, int requestId);

    /** Whether {@code text} tells that the connection is ready for commands. */
    boolean isReady(String text);

    /** Whether {@code text} acknowledges a subscribe. */
    boolean isSubscribed(String text);

    /** A frame to answer {@code text} with (keep-alives), or null. */
    String reply(String text);

    /** The user connection {@code index} is on Tandem (a dev-mode server takes it from {@code ?user=}). */
    static String tandemUser(int index) {
        return "b" + index;
    }

    /** Tandem's native protocol. */
    Dialect TANDEM = new Dialect() {
        @Override
        public String name() {
            return "tandem";
        }

        @Override
        public String path(int index) {
            return "/ws?user=" + tandemUser(index);
        }

        @Override
        public String onOpen() {
            return null;
        }

        @Override
        public String subscribe(String channel, int requestId) {
            return "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"requestId\":" + requestId + "}";
        }

        @Override
        public String publish(String channel, String payloadJson, int requestId) {
            return "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"payload\":" + payloadJson
                    + ",\"requestId\":" + requestId + "}";
        }

        @Override
        public boolean isReady(String text) {
            return text.startsWith("{\"type\":\"connected\"");
        }

        @Override
        public boolean isSubscribed(String text) {
            return text.startsWith("{\"type\":\"subscribed\"");
        }

        @Override
        public String reply(String text) {
            return null;
        }
    };

    /** Socket.IO 4 (Engine.IO 4 over WebSocket): rooms joined with an acked "join", broadcast by "publish". */
    Dialect SOCKET_IO = new Dialect() {
        @Override
        public String name() {
            return "socket.io";
        }

        @Override
        public String path(int index) {
            return "/socket.io/?EIO=4&transport=websocket";
        }

        @Override
        public String onOpen() {
            return "40";
        }

        @Override
        public String subscribe(String channel, int requestId) {
            return "42" + requestId + "[\"join\",\"" + channel + "\"]";
        }

        @Override
        public String publish(String channel, String payloadJson, int requestId) {
            return "42" + requestId + "[\"publish\",{\"room\":\"" + channel + "\",\"payload\":" + payloadJson + "}]";
        }

        @Override
        public boolean isReady(String text) {
            return text.startsWith("40");
        }

        @Override
        public boolean isSubscribed(String text) {
            return text.startsWith("43") && text.endsWith("[\"ok\"]");
        }

        @Override
        public String reply(String text) {
            return "2".equals(text) ? "3" : null;
        }
    };
}
