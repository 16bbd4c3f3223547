package dev.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * {@link TransportClient} over {@code /poll}: a loop that polls with the last cursor, either long polls (the
 * server's default wait) or short polls ({@code wait=0}) with the client backoff when idle (doubling from
 * {@link #MIN_BACKOFF} up to {@link #MAX_BACKOFF}; scaled down from the production 1 s → 30 s for test speed).
 * A drop abandons the session; the server expires it and the next poll resumes from the cursor.
 */
public final class PollTransportClient extends TransportClient {
    static final long MIN_BACKOFF = 25;
    static final long MAX_BACKOFF = 400;

    private final boolean shortPoll;
    private final Thread loop;
    private volatile String cursor;
    private volatile boolean stopped;
    private volatile RawHttp current;
    private volatile String failure;

    PollTransportClient(TestServer server, String user, boolean shortPoll, String cursor, List<JsonNode> carried) {
        super(server, user, carried);
        this.shortPoll = shortPoll;
        this.cursor = cursor;
        loop = new Thread(this::run, "poll-client-" + user);
        loop.setDaemon(true);
        loop.start();
    }

    @Override
    public String transport() {
        return shortPoll ? "short-poll" : "long-poll";
    }

    public String cursor() {
        return cursor;
    }

    /** Why the poll loop stopped on its own, or null. */
    public String failure() {
        return failure;
    }

    private void run() {
        long backoff = MIN_BACKOFF;
        while (!stopped) {
            String target = "/poll?user=" + user + (shortPoll ? "&wait=0" : "")
                    + (cursor == null ? "" : "&cursor=" + encode(cursor));
            try (RawHttp http = RawHttp.send(server.port(), target)) {
                current = http;
                if (stopped) {
                    return;
                }
                String body = http.readBody();
                if (stopped) {
                    return;
                }
                if (http.status() != 200) {
                    failure = http.status() + " " + body;
                    return;
                }
                JsonNode response = WsClient.JSON.readTree(body);
                response.path("frames").forEach(frames::add);
                cursor = response.path("cursor").asText();
                boolean idle = response.path("frames").isEmpty();
                backoff = idle ? Math.min(backoff * 2, MAX_BACKOFF) : MIN_BACKOFF;
                if (shortPoll && idle) {
                    Thread.sleep(backoff);
                }
            } catch (IOException | RuntimeException e) {
                if (!stopped) {
                    failure = e.toString();
                }
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    protected void sendText(String json) {
        post(json);
    }

    @Override
    public void drop() {
        stopped = true;
        RawHttp http = current;
        if (http != null) {
            http.close();
        }
        loop.interrupt();
        WsTransportClient.join(loop);
        String id = sessionId();
        Awaitility.await("session " + id + " expired").atMost(Duration.ofSeconds(20))
                .until(() -> server.server().sessions().find(id) == null);
    }

    @Override
    protected TransportClient resume(List<JsonNode> leftover) {
        PollTransportClient next = new PollTransportClient(server, user, shortPoll, cursor, leftover);
        next.connected();
        return next;
    }

    @Override
    public void close() {
        stopped = true;
        RawHttp http = current;
        if (http != null) {
            http.close();
        }
        loop.interrupt();
    }
}
