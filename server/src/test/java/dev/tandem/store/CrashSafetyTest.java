package dev.tandem.store;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills a real server process with SIGKILL while several clients publish durable messages, restarts it on
 * the same store, and checks that every acknowledged message is in history exactly once with its seq.
 */
class CrashSafetyTest {
    private static final String CHANNEL = "chat:crash";
    private static final int PUBLISHERS = 4;
    /** Far more than the kill waits for (seq 1000), so it lands mid-stream however large the group commits are. */
    private static final int PER_PUBLISHER = 5000;

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void everyAcknowledgedMessageSurvivesSigkillExactlyOnceWithItsSeq(TestStore store) throws Exception {
        Map<String, String> config = store.fresh();
        Map<String, Long> ackedSeqByMessage = new HashMap<>();
        ServerProcess first = ServerProcess.start(Path.of(config.get("dataDir")), storeEnvironment(config));
        try {
            List<WsClient> publishers = new ArrayList<>();
            List<Map<String, String>> messageByRequest = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                publishers.add(WsClient.connect(first.ws("user=p" + p)));
                messageByRequest.add(new ConcurrentHashMap<>());
            }
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                senders.add(CompletableFuture.runAsync(() -> sendUntilClosed(publishers.get(publisher),
                        messageByRequest.get(publisher), publisher)));
            }
            try (WsClient watcher = WsClient.connect(first.ws("user=watcher"))) {
                watcher.subscribe(CHANNEL);
                watcher.next(f -> f.path("seq").asLong() >= 1000, "the 1000th publication");
            }
            first.kill();
            first.process().waitFor(30, TimeUnit.SECONDS);
            CompletableFuture.allOf(senders.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            for (int p = 0; p < PUBLISHERS; p++) {
                for (JsonNode frame : publishers.get(p).drain()) {
                    String message = messageByRequest.get(p).get(frame.path("requestId").asText());
                    if (message != null && "ack".equals(frame.path("type").asText())) {
                        ackedSeqByMessage.put(message, frame.path("payload").path("seq").asLong());
                    }
                }
                publishers.get(p).abort();
            }
        } finally {
            first.close();
        }
        assertThat(ackedSeqByMessage.size()).as("acks before the kill")
                .isBetween(200, PUBLISHERS * PER_PUBLISHER - 1);

        ServerProcess second = ServerProcess.start(Path.of(config.get("dataDir")), storeEnvironment(config));
        try (WsClient reader = WsClient.connect(second.ws("user=reader"))) {
            Map<String, Long> storedSeqByMessage = new HashMap<>();
            long after = 0;
            boolean more = true;
            while (more) {
                JsonNode page = reader.request(command("history").put("channel", CHANNEL).put("after", after).put("limit", 100));
                for (JsonNode publication : page.path("payload").path("publications")) {
                    long seq = publication.path("seq").asLong();
                    assertThat(seq).isEqualTo(after + 1);
                    after = seq;
                    String message = publication.path("payload").path("m").asText();
                    assertThat(storedSeqByMessage.put(message, seq)).as("stored twice: " + message).isNull();
                }
                more = page.path("payload").path("more").asBoolean();
            }
            ackedSeqByMessage.forEach((message, seq) ->
                    assertThat(storedSeqByMessage.get(message)).as("acked " + message).isEqualTo(seq));
        } finally {
            second.close();
        }
    }

    private static void sendUntilClosed(WsClient client, Map<String, String> messageByRequest, int publisher) {
        for (int i = 0; i < PER_PUBLISHER; i++) {
            ObjectNode publish = command("publish").put("channel", CHANNEL);
            String message = publisher + "-" + i;
            publish.putObject("payload").put("m", message);
            String requestId = "p" + publisher + "-" + i;
            publish.put("requestId", requestId);
            messageByRequest.put(requestId, message);
            try {
                client.sendText(publish.toString());
            } catch (RuntimeException closed) {
                return;
            }
            if (i % 20 == 19) {
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The store part of a test config as TANDEM_* environment variables for a child server. */
    private static Map<String, String> storeEnvironment(Map<String, String> config) {
        Map<String, String> env = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith("store.")) {
                env.put("TANDEM_" + key.replace('.', '_').toUpperCase(), value);
            }
        });
        return env;
    }
}
