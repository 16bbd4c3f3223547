package dev.tandem.transport.stomp;

import dev.tandem.protocol.ProtocolException;

/**
 * A {@code heart-beat} header: the smallest interval (ms) at which a side can send beats, and the interval it
 * would like to receive them at; 0 means "cannot" or "does not want". Negotiation per STOMP 1.2: each
 * direction runs at the larger of the sender's and the receiver's figures, or not at all when either is 0.
 *
 * @param send    {@code cx} or {@code sx}
 * @param receive {@code cy} or {@code sy}
 */
record HeartBeat(long send, long receive) {
    static final HeartBeat NONE = new HeartBeat(0, 0);

    static HeartBeat parse(String header) {
        if (header == null) {
            return NONE;
        }
        String[] parts = header.split(",", -1);
        try {
            if (parts.length == 2) {
                long send = Long.parseLong(parts[0].trim());
                long receive = Long.parseLong(parts[1].trim());
                if (send >= 0 && receive >= 0) {
                    return new HeartBeat(send, receive);
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw ProtocolException.badRequest("heart-beat must be two non-negative integers 'cx,cy', not '"
                + StompHeaders.printable(header) + "'");
    }

    /** How often the server must send, given the server's offer {@code this} and the client's header. */
    long serverToClient(HeartBeat client) {
        return send == 0 || client.receive == 0 ? 0 : Math.max(send, client.receive);
    }

    /** How often the client will send, given the server's offer {@code this} and the client's header. */
    long clientToServer(HeartBeat client) {
        return receive == 0 || client.send == 0 ? 0 : Math.max(receive, client.send);
    }

    /** As written in {@code CONNECTED}: no spaces. */
    String header() {
        return send + "," + receive;
    }
}
