package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.messaging.converter.MappingJackson2MessageConverter;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * Interop with Spring's own STOMP client ({@code WebSocketStompClient} on the standard JSR-356 client), as an
 * existing Spring back end or desktop client would use it, unchanged, against Tandem's {@code /stomp}.
 */
class SpringStompInteropTest {
    static TestServer server;
    static WebSocketStompClient stompClient;
    static ThreadPoolTaskScheduler scheduler;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("connection.pingInterval", "1s"));
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(2);
        scheduler.initialize();
        stompClient = new WebSocketStompClient(new StandardWebSocketClient());
        stompClient.setMessageConverter(new MappingJackson2MessageConverter());
        stompClient.setTaskScheduler(scheduler);
        stompClient.setDefaultHeartbeat(new long[] {1000, 1000});
    }

    @AfterAll
    static void stop() {
        stompClient.stop();
        scheduler.shutdown();
        server.close();
    }

    /** Records what Spring reports: CONNECTED headers, errors, transport failures. */
    static final class Handler extends StompSessionHandlerAdapter {
        final CompletableFuture<StompHeaders> connected = new CompletableFuture<>();
        final AtomicBoolean failed = new AtomicBoolean();

        @Override
        public void afterConnected(StompSession session, StompHeaders connectedHeaders) {
            connected.complete(connectedHeaders);
        }

        @Override
        public void handleException(StompSession session, StompCommand command, StompHeaders headers, byte[] payload, Throwable e) {
            failed.set(true);
        }

        @Override
        public void handleTransportError(StompSession session, Throwable e) {
            failed.set(true);
            connected.completeExceptionally(e);
        }
    }

    /** Collects payloads (as maps) with their headers. */
    static final class Inbox implements StompFrameHandler {
        final BlockingQueue<Map.Entry<StompHeaders, Map<?, ?>>> received = new LinkedBlockingQueue<>();

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return Map.class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            received.add(Map.entry(headers, (Map<?, ?>) payload));
        }

        Map.Entry<StompHeaders, Map<?, ?>> next() throws InterruptedException {
            Map.Entry<StompHeaders, Map<?, ?>> entry = received.poll(20, TimeUnit.SECONDS);
            assertThat(entry).as("a MESSAGE within 20 s").isNotNull();
            return entry;
        }
    }

    private static StompSession connect(String user, Handler handler) throws Exception {
        String url = "ws://127.0.0.1:" + server.port() + "/stomp?user=" + user;
        StompSession session = stompClient.connectAsync(url, new WebSocketHttpHeaders(), handler).get(20, TimeUnit.SECONDS);
        session.setAutoReceipt(true);
        return session;
    }

    private static void awaitReceipt(StompSession.Receiptable receiptable) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        receiptable.addReceiptTask(latch::countDown);
        assertThat(latch.await(20, TimeUnit.SECONDS)).as("RECEIPT for " + receiptable.getReceiptId()).isTrue();
    }

    @Test
    void springClientConnectsSubscribesAndReceivesItsJsonMessagesInOrder() throws Exception {
        Handler handler = new Handler();
        StompSession session = connect("spring-alice", handler);
        StompHeaders connected = handler.connected.get(5, TimeUnit.SECONDS);
        assertThat(connected.getFirst("version")).isEqualTo("1.2");
        assertThat(connected.getFirst("user-name")).isEqualTo("spring-alice");
        assertThat(connected.getHeartbeat()).containsExactly(1000, 1000);

        Inbox inbox = new Inbox();
        awaitReceipt(session.subscribe("/topic/spring.orders", inbox));
        StompSession.Receiptable last = null;
        for (int i = 0; i < 30; i++) {
            last = session.send("/topic/spring.orders", Map.of("n", i));
        }
        awaitReceipt(last);
        for (int i = 0; i < 30; i++) {
            Map.Entry<StompHeaders, Map<?, ?>> message = inbox.next();
            assertThat(message.getValue().get("n")).isEqualTo(i);
            assertThat(message.getKey().getContentType().toString()).isEqualTo("application/json");
            assertThat(message.getKey().getFirst("tandem-seq")).isEqualTo(Integer.toString(i + 1));
        }
        assertThat(handler.failed).isFalse();
        session.disconnect();
    }

    @Test
    void aNackedMessageIsRedeliveredToTheSpringClientUntilItAcks() throws Exception {
        StompSession session = connect("spring-acker", new Handler());
        Inbox inbox = new Inbox();
        StompHeaders subscribe = new StompHeaders();
        subscribe.setDestination("/topic/spring.acks");
        subscribe.setAck("client");
        awaitReceipt(session.subscribe(subscribe, inbox));
        awaitReceipt(session.send("/topic/spring.acks", Map.of("job", 7)));

        Map.Entry<StompHeaders, Map<?, ?>> first = inbox.next();
        awaitReceipt(session.acknowledge(first.getKey().getAck(), false));
        Map.Entry<StompHeaders, Map<?, ?>> again = inbox.next();
        assertThat(again.getKey().getMessageId()).isEqualTo(first.getKey().getMessageId());
        assertThat(again.getValue()).isEqualTo(Map.of("job", 7));
        awaitReceipt(session.acknowledge(again.getKey().getAck(), true));
        StompSession.Receiptable probe = session.acknowledge(again.getKey().getAck(), false);
        awaitReceipt(probe);
        assertThat(inbox.received.poll(300, TimeUnit.MILLISECONDS)).as("nothing left to redeliver").isNull();
        session.disconnect();
    }

    @Test
    void userQueueMessagesReachEverySpringSessionOfThatUser() throws Exception {
        StompSession first = connect("spring-carol", new Handler());
        StompSession second = connect("spring-carol", new Handler());
        Inbox firstInbox = new Inbox();
        Inbox secondInbox = new Inbox();
        awaitReceipt(first.subscribe("/user/queue/notifications", firstInbox));
        awaitReceipt(second.subscribe("/user/queue/notifications", secondInbox));
        server.post("/api/publish", "{\"channel\":\"user:spring-carol\",\"payload\":{\"invoice\":42}}");
        assertThat(firstInbox.next().getValue()).isEqualTo(Map.of("invoice", 42));
        assertThat(secondInbox.next().getValue()).isEqualTo(Map.of("invoice", 42));
        first.disconnect();
        second.disconnect();
    }

    @Test
    void aSpringClientAndANativeClientExchangeMessagesBothWays() throws Exception {
        StompSession session = connect("spring-dan", new Handler());
        Inbox inbox = new Inbox();
        awaitReceipt(session.subscribe("/topic/chat.spring", inbox));
        try (WsClient nativeClient = server.connect("native-erin")) {
            nativeClient.connected();
            nativeClient.subscribe("chat:spring");
            awaitReceipt(session.send("/app/chat.spring", Map.of("from", "spring")));
            JsonNode fromSpring = nativeClient.nextOfType("publication");
            assertThat(fromSpring.path("payload").path("from").asText()).isEqualTo("spring");
            assertThat(fromSpring.path("userId").asText()).isEqualTo("spring-dan");
            nativeClient.publish("chat:spring", WsClient.JSON.createObjectNode().put("from", "native"));
            List<Object> seen = new ArrayList<>();
            seen.add(inbox.next().getValue().get("from"));
            Map.Entry<StompHeaders, Map<?, ?>> fromNative = inbox.next();
            seen.add(fromNative.getValue().get("from"));
            assertThat(seen).containsExactly("spring", "native");
            assertThat(fromNative.getKey().getFirst("tandem-user")).isEqualTo("native-erin");
        }
        session.disconnect();
    }

    @Test
    void heartBeatsKeepAnIdleSpringSessionConnected() throws Exception {
        Handler handler = new Handler();
        StompSession session = connect("spring-idle", handler);
        Thread.sleep(Duration.ofSeconds(8).toMillis());
        assertThat(session.isConnected()).isTrue();
        assertThat(handler.failed).isFalse();
        Inbox inbox = new Inbox();
        awaitReceipt(session.subscribe("/topic/spring.idle", inbox));
        session.send("/topic/spring.idle", Map.of("alive", true));
        assertThat(inbox.next().getValue()).isEqualTo(Map.of("alive", true));
        session.disconnect();
    }
}
