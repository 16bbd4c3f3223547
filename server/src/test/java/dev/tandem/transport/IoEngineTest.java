package dev.tandem.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TransportsConfig;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The socket I/O engine ({@code transports.io}): which one runs, and that each carries the protocol end to end. */
class IoEngineTest {
    private static final int PUBLICATIONS = 300;

    @Test
    void theDefaultTakesIoUringWhereTheKernelAllowsItAndElseEpoll() {
        assertThat(ConfigLoader.defaults().load().transports().io()).isEqualTo(TransportsConfig.Io.auto);
        assertThat(IoEngine.select(TransportsConfig.Io.auto).name())
                .isEqualTo(IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio");
        assertThat(IoEngine.select(TransportsConfig.Io.epoll).name()).isEqualTo("epoll");
    }

    @Test
    void ioUringRunsWhereTheKernelAllowsItAndElseFallsBackToEpoll() {
        assertThat(IoEngine.select(TransportsConfig.Io.io_uring).name())
                .isEqualTo(IoUring.isAvailable() ? "io_uring" : "epoll");
    }

    @Test
    void epollCarriesABurstInOrderToSubscribersOnEveryLoopAndServesHttp() throws Exception {
        assertBurstAndHttpWorkOn("epoll", "epoll");
    }

    @Test
    void ioUringCarriesABurstInOrderToSubscribersOnEveryLoopAndServesHttp() throws Exception {
        assertBurstAndHttpWorkOn("io_uring", IoUring.isAvailable() ? "io_uring" : "epoll");
    }

    @Test
    void nioCarriesABurstInOrderToSubscribersOnEveryLoopAndServesHttp() throws Exception {
        assertBurstAndHttpWorkOn("nio", "nio");
    }

    @Test
    void anUnknownEngineIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.defaults().set("transports.io", "kqueue").load())
                .hasMessageContaining("'transports.io'");
    }

    /**
     * Three loops ({@code transports.ioThreads}), six subscribers (loops take connections in turn: two per loop), and a burst of publications sent without waiting: every
     * subscriber gets all of them in seq order, which takes writes that carry several frames and writes the
     * kernel only partly accepts. Then a plain HTTP request on the same port.
     */
    private static void assertBurstAndHttpWorkOn(String wanted, String expected) throws Exception {
        try (TestServer server = TestServer.start(Map.of("transports.io", wanted, "transports.ioThreads", "3"))) {
            assertThat(server.server().ioEngine()).isEqualTo(expected);
            assertThat(server.server().eventLoops()).isEqualTo(3);
            List<WsClient> subscribers = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    WsClient client = WsClient.connect(server.ws("user=s" + i));
                    client.connected();
                    client.subscribe("room:engine");
                    subscribers.add(client);
                }
                try (WsClient publisher = WsClient.connect(server.ws("user=p"))) {
                    publisher.connected();
                    String padding = "x".repeat(2000);
                    for (int n = 1; n <= PUBLICATIONS; n++) {
                        publisher.send(WsClient.command("publish").put("channel", "room:engine")
                                .set("payload", WsClient.JSON.createObjectNode().put("n", n).put("pad", padding)));
                    }
                    for (WsClient subscriber : subscribers) {
                        long lastSeq = 0;
                        for (int n = 1; n <= PUBLICATIONS; n++) {
                            JsonNode publication = subscriber.nextOfType("publication");
                            assertThat(publication.path("payload").path("n").asInt()).isEqualTo(n);
                            assertThat(publication.path("seq").asLong()).isGreaterThan(lastSeq);
                            lastSeq = publication.path("seq").asLong();
                        }
                    }
                }
            } finally {
                subscribers.forEach(WsClient::close);
            }
            HttpResponse<String> ready = server.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(server.get("/metrics").body()).contains("tandem_event_loops{engine=\"" + expected + "\"} 3.0");
        }
    }
}
