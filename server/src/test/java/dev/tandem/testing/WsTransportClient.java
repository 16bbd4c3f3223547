package dev.tandem.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TransportClient} over {@code /ws} with {@link WsClient}. It remembers, per channel, the last seq it
 * received and the epoch, and after a drop re-subscribes each channel with {@code since}, as a WebSocket
 * client should.
 */
final class WsTransportClient extends TransportClient {
    private final WsClient ws;
    private final Map<String, long[]> seqs = new LinkedHashMap<>();
    private final Map<String, String> epochs = new LinkedHashMap<>();
    private final Thread pump;
    private volatile boolean stopped;

    WsTransportClient(TestServer server, String user, WsTransportClient previous, List<JsonNode> carried) {
        super(server, user, carried);
        if (previous != null) {
            previous.seqs.forEach((channel, seq) -> seqs.put(channel, seq.clone()));
            epochs.putAll(previous.epochs);
        }
        ws = server.connect(user);
        pump = new Thread(this::pump, "ws-client-" + user);
        pump.setDaemon(true);
        pump.start();
    }

    @Override
    public String transport() {
        return "ws";
    }

    private void pump() {
        while (!stopped) {
            JsonNode frame = ws.poll(Duration.ofMillis(50));
            if (frame != null) {
                accept(frame);
            }
        }
    }

    private synchronized void accept(JsonNode frame) {
        String channel = frame.path("channel").asText(null);
        if (channel != null) {
            if ("subscribed".equals(frame.path("type").asText())) {
                JsonNode payload = frame.path("payload");
                epochs.put(channel, payload.path("epoch").asText());
                if (!payload.path("recovered").asBoolean() || !seqs.containsKey(channel)) {
                    seqs.put(channel, new long[] {payload.path("seq").asLong()});
                }
            } else if (frame.has("seq") && seqs.containsKey(channel)) {
                seqs.get(channel)[0] = frame.path("seq").asLong();
            }
        }
        frames.add(frame);
    }

    @Override
    protected void sendText(String json) {
        ws.sendText(json);
    }

    @Override
    public void drop() {
        ws.abort();
        stopped = true;
        join(pump);
        ws.drain().forEach(this::accept);
    }

    @Override
    protected TransportClient resume(List<JsonNode> leftover) {
        WsTransportClient next = new WsTransportClient(server, user, this, leftover);
        next.connected();
        synchronized (this) {
            seqs.forEach((channel, seq) -> {
                ObjectNode subscribe = WsClient.command("subscribe").put("channel", channel);
                subscribe.putObject("since").put("seq", seq[0]).put("epoch", epochs.get(channel));
                next.send(subscribe);
            });
        }
        return next;
    }

    static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        ws.close();
    }
}
