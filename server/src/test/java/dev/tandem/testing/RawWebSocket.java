package dev.tandem.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client that writes and reads frames byte by byte, for tests of what a library client would never
 * send: fragments, control frames between them, bytes that are not UTF-8, close frames with odd payloads.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;
    private static final byte[] MASK = {0x11, 0x22, 0x33, 0x44};

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /**
     * One server frame as read.
     *
     * @param fin     whether it is a message's last (or only) frame
     * @param opcode  the frame type
     * @param payload the payload bytes
     */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** A close frame's status code, or -1 when it carries none. */
        public int closeStatus() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens {@code path} on the test server and completes the upgrade (fails unless it answers 101). */
    public static RawWebSocket open(TestServer server, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        RawWebSocket ws = new RawWebSocket(socket);
        ws.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) ws.in.readUnsignedByte());
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("upgrade refused: " + head);
        }
        return ws;
    }

    /** Sends one masked frame, as a client must. */
    public void send(boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        frame.writeBytes(MASK);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ MASK[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Sends a whole text message in one frame. */
    public void sendText(byte[] utf8) throws IOException {
        send(true, TEXT, utf8);
    }

    /** The next server frame; null when the server ended the connection. */
    public Frame read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        long length = in.readUnsignedByte() & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        return new Frame((first & 0x80) != 0, first & 0x0F, in.readNBytes((int) length));
    }

    /** Skips server frames until one with {@code opcode}; null when the connection ended first. */
    public Frame next(int opcode) throws IOException {
        Frame frame;
        while ((frame = read()) != null && frame.opcode() != opcode) {
            // not the one asked for
        }
        return frame;
    }

    /** The status of the server's close frame, skipping frames before it; 1006 when the socket just closes. */
    public int closeStatus() throws IOException {
        Frame close = next(CLOSE);
        return close == null ? 1006 : close.closeStatus();
    }

    /** Whether the server closed its side (the next read sees the end of the stream). */
    public boolean ended() throws IOException {
        return in.read() == -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
