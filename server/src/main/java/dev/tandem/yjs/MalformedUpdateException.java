package dev.tandem.yjs;

/** Raised when bytes are not a valid lib0 / Yjs encoding; the message says where decoding stopped. */
public final class MalformedUpdateException extends RuntimeException {
    public MalformedUpdateException(String message) {
        super(message);
    }
}
