package dev.tandem.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal HTTP/1.1 GET over a plain socket, for clients of long-lived responses (SSE, NDJSON, long polls):
 * the body is read as it arrives (chunked or with a length), and {@link #close} drops the TCP connection at once,
 * which is how the tests simulate a client losing its network.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private int status;
    private Map<String, String> headers;
    private InputStream body;

    private RawHttp(Socket socket, InputStream in) {
        this.socket = socket;
        this.in = in;
    }

    /** Sends {@code GET target} with extra {@code headers} ("Name: value") and reads the status and headers. */
    public static RawHttp get(int port, String target, String... headers) {
        RawHttp http = send(port, target, headers);
        http.head();
        return http;
    }

    /**
     * Sends {@code GET target} and returns at once, before the response starts (a long poll may hold it back);
     * {@link #close} from another thread then aborts the request.
     */
    public static RawHttp send(int port, String target, String... headers) {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new RawHttp(socket, new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the status line and headers (once). */
    public synchronized RawHttp head() {
        if (headers != null) {
            return this;
        }
        try {
            String statusLine = readLine(in);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                responseHeaders.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
            }
            headers = responseHeaders;
            body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new ChunkedBody()
                    : new LengthBody(Long.parseLong(headers.getOrDefault("content-length", "0")));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int status() {
        return head().status;
    }

    /** A response header by lower-case name, or null. */
    public String header(String name) {
        return head().headers.get(name);
    }

    /** The next line of the body without its line end, or null at the end of the body. */
    public String readLine() throws IOException {
        head();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = body.read()) != -1) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** The whole (remaining) body. */
    public String readBody() {
        try {
            return new String(head().body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1) {
                throw new EOFException("connection closed in the middle of the response head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private final class ChunkedBody extends InputStream {
        private long remaining;
        private boolean done;

        @Override
        public int read() throws IOException {
            if (done) {
                return -1;
            }
            if (remaining == 0) {
                String size = readLine(in);
                if (size.isEmpty()) {
                    size = readLine(in);
                }
                remaining = Long.parseLong(size.split(";")[0].trim(), 16);
                if (remaining == 0) {
                    done = true;
                    return -1;
                }
            }
            int b = in.read();
            if (b == -1) {
                done = true;
                return -1;
            }
            remaining--;
            return b;
        }
    }

    private final class LengthBody extends InputStream {
        private long remaining;

        LengthBody(long length) {
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int b = in.read();
            if (b != -1) {
                remaining--;
            }
            return b;
        }
    }
}
