package dev.tandem.transport.stomp;

import dev.tandem.protocol.ProtocolException;

/** The acknowledgement modes of a STOMP subscription. */
enum AckMode {
    /** Messages count as consumed when sent. */
    AUTO,
    /** {@code ACK}/{@code NACK} of a message covers every earlier unacknowledged message of the subscription. */
    CLIENT,
    /** {@code ACK}/{@code NACK} covers that one message. */
    CLIENT_INDIVIDUAL;

    static AckMode parse(String header) {
        if (header == null || header.equals("auto")) {
            return AUTO;
        }
        return switch (header) {
            case "client" -> CLIENT;
            case "client-individual" -> CLIENT_INDIVIDUAL;
            default -> throw ProtocolException.badRequest("ack must be auto, client or client-individual, not '"
                    + StompHeaders.printable(header) + "'");
        };
    }
}
