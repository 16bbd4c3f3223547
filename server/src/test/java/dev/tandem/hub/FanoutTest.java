package dev.tandem.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FanoutTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyOneOfAThousandSubscribersReceivesEveryPublicationInOrder() throws Exception {
        int subscribers = 1000;
        int publications = 20;
        List<WsClient> clients = connectMany(subscribers);
        try {
            for (WsClient client : clients) {
                client.send(WsClient.command("subscribe").put("channel", "room:fanout"));
            }
            for (WsClient client : clients) {
                assertThat(client.nextOfType("subscribed").path("channel").asText()).isEqualTo("room:fanout");
            }
            try (WsClient publisher = server.connect("publisher")) {
                for (int i = 1; i <= publications; i++) {
                    publisher.publish("room:fanout", WsClient.JSON.createObjectNode().put("n", i));
                }
            }
            for (WsClient client : clients) {
                for (int i = 1; i <= publications; i++) {
                    JsonNode publication = client.nextOfType("publication");
                    assertThat(publication.path("seq").asLong()).isEqualTo(i);
                    assertThat(publication.path("payload").path("n").asInt()).isEqualTo(i);
                }
            }
            assertThat(server.server().hub().channels()).anySatisfy(info -> {
                assertThat(info.name()).isEqualTo("room:fanout");
                assertThat(info.subscribers()).isEqualTo(subscribers);
            });
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void everySubscriberSeesTheSameOrderUnderFourConcurrentPublishers() throws Exception {
        int publishers = 4;
        int perPublisher = 500;
        List<WsClient> subscribers = connectMany(5);
        subscribers.forEach(s -> s.subscribe("room:order"));
        List<WsClient> senders = connectMany(publishers);
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                WsClient sender = senders.get(p);
                int id = p;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        sender.send(WsClient.command("publish").put("channel", "room:order")
                                .set("payload", WsClient.JSON.createObjectNode().put("p", id).put("i", i)));
                    }
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();

            int total = publishers * perPublisher;
            List<String> reference = null;
            for (WsClient subscriber : subscribers) {
                List<String> seen = new ArrayList<>();
                Map<Integer, Integer> lastPerPublisher = new HashMap<>();
                for (int seq = 1; seq <= total; seq++) {
                    JsonNode publication = subscriber.nextOfType("publication");
                    assertThat(publication.path("seq").asLong()).isEqualTo(seq);
                    int p = publication.path("payload").path("p").asInt();
                    int i = publication.path("payload").path("i").asInt();
                    // Each publisher's own messages keep the order it sent them in.
                    assertThat(i).isEqualTo(lastPerPublisher.getOrDefault(p, -1) + 1);
                    lastPerPublisher.put(p, i);
                    seen.add(p + "/" + i);
                }
                if (reference == null) {
                    reference = seen;
                } else {
                    assertThat(seen).isEqualTo(reference);
                }
            }
        } finally {
            pool.shutdownNow();
            subscribers.forEach(WsClient::close);
            senders.forEach(WsClient::close);
        }
    }

    private static List<WsClient> connectMany(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<CompletableFuture<WsClient>> futures = IntStream.range(0, n)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> server.connect("u" + i), pool)).toList();
            List<WsClient> clients = new ArrayList<>();
            for (CompletableFuture<WsClient> future : futures) {
                WsClient client = future.get();
                client.connected();
                clients.add(client);
            }
            return clients;
        } finally {
            pool.shutdown();
        }
    }
}
