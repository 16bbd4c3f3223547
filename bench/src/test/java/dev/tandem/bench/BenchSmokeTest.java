package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.TransportsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A short run of each scenario against the real servers, so the generator cannot rot. It checks that the
 * scenarios measure something sensible (every delivery arrives, memory figures exist), never how fast.
 */
class BenchSmokeTest {
    static final Path SERVER_JAR = Path.of("..", "server", "target", "tandem.jar");
    static final Path PEER_DIR = Path.of("peers", "socketio");

    @Test
    void fanoutDeliversEveryPublicationToEverySubscriberOnTandemAndTheSocketIoPeer() throws Exception {
        FanoutScenario.Params params = new FanoutScenario.Params(20, 50, 2, 1, 2, 100);
        for (ServerUnderTest server : List.of(ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m")),
                ServerUnderTest.socketIo(PEER_DIR))) {
            try (server; Generator generator = new Generator(1)) {
                FanoutScenario.Result result = FanoutScenario.run(server, generator, params);
                assertThat(result.published()).isEqualTo(100);
                assertThat(result.delivered()).as(server.name()).isEqualTo(result.expected()).isEqualTo(2000);
                assertThat(result.p99Millis()).isPositive();
                assertThat(result.cpuMicrosPerDelivery()).isPositive();
                assertThat(result.warmupJitShares()).as("warm-up rounds").hasSizeBetween(1, 2);
            }
        }
    }

    @Test
    void fanoutRunsWithServerAndGeneratorOnIoUring() throws Exception {
        FanoutScenario.Params params = new FanoutScenario.Params(20, 50, 2, 1, 1, 100);
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"),
                Map.of("TANDEM_TRANSPORTS_IO", "io_uring"));
             Generator generator = new Generator(1, TransportsConfig.Io.io_uring)) {
            FanoutScenario.Result result = FanoutScenario.run(server, generator, params);
            assertThat(result.delivered()).isEqualTo(result.expected()).isEqualTo(2000);
        }
    }

    @Test
    void connectionsReportsMemoryPerConnectionFromTheServerProcess() throws Exception {
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"));
             Generator generator = new Generator(1)) {
            ConnectionsScenario.Result result = ConnectionsScenario.run(server, generator, 200);
            assertThat(result.connections()).isEqualTo(200);
            assertThat(result.heapBytesPerConnection()).isPositive();
            assertThat(result.rampSeconds()).isPositive();
        }
    }

    @Test
    void durablePublicationsAndChatMessagesAreEachAcknowledgedOnceOnTheEmbeddedStore() throws Exception {
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"));
             Generator generator = new Generator(1)) {
            int round = 0;
            for (DurableScenario.Send send : DurableScenario.Send.values()) {
                DurableScenario.Result result = DurableScenario.run("h2", server, generator,
                        new DurableScenario.Params(2, 200, 1, 0, send), round++);
                assertThat(result.published()).as(send.name()).isEqualTo(200);
                assertThat(result.acknowledged()).as(send.name()).isEqualTo(200);
                assertThat(result.p99Millis()).as(send.name()).isPositive();
            }
        }
    }

    @Test
    void channelsAndChurnScenariosRunToCompletion() throws Exception {
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"));
             Generator generator = new Generator(1)) {
            ChannelsScenario.Result channels = ChannelsScenario.run(server, generator,
                    new ChannelsScenario.Params(50, 50, 3, 100, 1));
            assertThat(channels.published()).isEqualTo(100);
            assertThat(channels.delivered()).isPositive();
            ChurnScenario.Result churn = ChurnScenario.run(server, generator, 2, 1);
            assertThat(churn.cycles()).isPositive();
        }
    }

    @Test
    void reconnectStormRecoversEveryMissedPublicationForEveryClient() throws Exception {
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"));
             Generator generator = new Generator(1)) {
            ReconnectStormScenario.Result storm = ReconnectStormScenario.run(server, generator, 100, 5, 10);
            assertThat(storm.recovered()).isEqualTo(100);
            assertThat(storm.delivered()).isEqualTo(storm.expected()).isEqualTo(1000);
        }
    }

    @Test
    void presenceChurnReachesEveryWatcherLeavesNobodyBehindAndCursorUpdatesArrive() throws Exception {
        PresenceScenario.Params params = new PresenceScenario.Params(10, 30, 100, 200, 5, 20, 2, 1);
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"));
             Generator generator = new Generator(1)) {
            PresenceScenario.Result result = PresenceScenario.run(server, generator, params, 1000, 1);
            assertThat(result.watched().joins()).isEqualTo(300);
            assertThat(result.watched().leaves()).isEqualTo(300);
            assertThat(result.watched().stats()).isZero();
            assertThat(result.membersAfter()).isZero();
            assertThat(result.watched().joinP99Millis()).isPositive();
            assertThat(result.watched().diffs()).as("arrivals and departures 10 ms apart share 20 ms batch windows")
                    .isPositive();
            assertThat(result.cursorUpdatesSent()).isEqualTo(200);
            // Each update reaches the 4 other users unless coalesced away (latest wins), so between 1 and 4 each.
            assertThat(result.cursorDeliveries()).isBetween(100L, 800L);
            assertThat(result.cursorDiffs()).as("updates sent at the same moment are batched").isPositive();
            assertThat(result.cpuMicrosPerUpdate()).isPositive();
        }
    }

    @Test
    void presenceChurnAboveTheSyncLimitReachesWatchersAsCountsAndEndsWithTheMemberList() throws Exception {
        // 100 arrivals/s staying 300 ms: about 30 members at once, far above a limit of 5.
        PresenceScenario.Params params = new PresenceScenario.Params(10, 60, 100, 300, 0, 20, 1, 1);
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"),
                Map.of("TANDEM_NAMESPACES_DEFAULT_PRESENCE_SYNC_LIMIT", "5"));
             Generator generator = new Generator(1)) {
            PresenceScenario.Result result = PresenceScenario.run(server, generator, params, 5, 1);
            assertThat(result.watched().stats()).isPositive();
            assertThat(result.watched().joins()).isLessThan(600);
            assertThat(result.watched().syncs()).as("the member list once the channel shrank").isPositive();
            assertThat(result.membersAfter()).isZero();
        }
    }

    @Test
    void documentsDeliversEveryUpdateToEveryOtherEditorOnTandemAndTheHocuspocusPeer() throws Exception {
        DocumentsScenario.Params params = new DocumentsScenario.Params(2, 3, 5, 1, 1);
        for (ServerUnderTest server : List.of(ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m")),
                ServerUnderTest.hocuspocus(Path.of("peers", "hocuspocus")))) {
            try (server) {
                DocumentsScenario.Result result = DocumentsScenario.run(server, params);
                assertThat(result.updates()).isEqualTo(30);
                // each update reaches the two other editors of its document
                assertThat(result.remoteDeliveries()).as(server.name()).isEqualTo(60);
                assertThat(result.p99Millis()).isPositive();
                assertThat(result.rssBytes()).isPositive();
            }
        }
    }

    @Test
    void aLongHistoryDocumentIsSyncedWarmAndOnTandemLoadedColdFromTheStore() throws Exception {
        try (ServerUnderTest server = ServerUnderTest.tandem(SERVER_JAR, List.of("-Xmx256m"),
                java.util.Map.of("TANDEM_DOCUMENTS_IDLE_UNLOAD", "1s"))) {
            DocumentsScenario.HistoryResult result = DocumentsScenario.history(server, 300);
            assertThat(result.documentBytes()).isGreaterThan(300 * 10);
            assertThat(result.warmSyncMillis()).isPositive();
            assertThat(result.coldLoadMillis()).isPositive();
        }
        try (ServerUnderTest server = ServerUnderTest.hocuspocus(Path.of("peers", "hocuspocus"))) {
            DocumentsScenario.HistoryResult result = DocumentsScenario.history(server, 300);
            assertThat(result.documentBytes()).isGreaterThan(300 * 10);
            assertThat(result.coldLoadMillis()).isEqualTo(-1);
        }
    }

    @Test
    void machineSpinsOneThreadPerRequestAndAccountsForTheRun() throws Exception {
        List<MachineScenario.Spinner> spinners = MachineScenario.run(2, 1);

        assertThat(spinners).extracting(MachineScenario.Spinner::thread).containsExactly(0, 1);
        assertThat(spinners).allSatisfy(s -> {
            assertThat(s.lostPercent()).isBetween(0.0, 100.0);
            assertThat(s.worstMillis()).isLessThan(1000.0);
            assertThat(s.gaps() == 0).isEqualTo(s.worstMillis() == 0.0);
        });
    }

    @Test
    void timestampScanReadsThePayloadClockAndIgnoresOtherFrames() {
        assertThat(LoadClient.timestampOf("{\"type\":\"publication\",\"payload\":{\"t\":12345,\"p\":\"x\"},\"timestamp\":9}"))
                .isEqualTo(12345);
        assertThat(LoadClient.timestampOf("42[\"message\",{\"t\":777,\"p\":\"x\"}]")).isEqualTo(777);
        assertThat(LoadClient.timestampOf("{\"type\":\"ack\",\"timestamp\":99}")).isEqualTo(-1);
    }
}
