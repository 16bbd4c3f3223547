package dev.tandem.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsDescribeADevFriendlyServer() {
        TandemConfig config = ConfigLoader.defaults().load();
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.limits().maxFrameBytes()).isEqualTo(65536);
        assertThat(config.namespace("anything").history()).isEqualTo(NamespaceConfig.HistoryMode.memory);
        assertThat(config.namespace("anything").historySize()).isEqualTo(1000);
    }

    @Test
    void fileThenEnvironmentThenFlagsEachOverrideTheLayerBelow() throws Exception {
        Path file = write("port: 9000\nlimits:\n  maxFrameBytes: 2048\nnamespaces:\n  cursor:\n    history: none\n");
        TandemConfig config = ConfigLoader.defaults().file(file)
                .environment(Map.of("TANDEM_LIMITS_MAX_FRAME_BYTES", "4096", "TANDEM_DATA_DIR", "/tmp/tandem-x",
                        "TANDEM_NAMESPACES_CURSOR_HISTORY_SIZE", "5"))
                .set("port", "9100")
                .load();
        assertThat(config.port()).isEqualTo(9100);
        assertThat(config.limits().maxFrameBytes()).isEqualTo(4096);
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/tandem-x"));
        NamespaceConfig cursor = config.namespace("cursor");
        assertThat(cursor.history()).isEqualTo(NamespaceConfig.HistoryMode.none);
        assertThat(cursor.historySize()).isEqualTo(5);
        assertThat(cursor.historyTtl()).as("unset keys come from namespaces.default").isEqualTo(Duration.ofHours(1));
    }

    @Test
    void durationsAcceptTheUsualShortForms() throws Exception {
        TandemConfig config = ConfigLoader.defaults()
                .file(write("connection:\n  pingInterval: 250ms\nshutdown:\n  timeout: PT3S\nnamespaces:\n  default:\n    historyTtl: 2d\n"))
                .load();
        assertThat(config.connection().pingInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.shutdown().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.namespace("x").historyTtl()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void presenceBatchWindowDefaultsToTwentyMillisecondsAndZeroSwitchesItOff() {
        assertThat(ConfigLoader.defaults().load().namespace("room").presence().batchWindow())
                .isEqualTo(Duration.ofMillis(20));
        assertThat(ConfigLoader.defaults().set("namespaces.room.presence.batchWindow", "0").load()
                .namespace("room").presence().batchWindow()).isZero();
    }

    @Test
    void storeDefaultsCompactH2HalfAMegabyteEvery350msKeepAHalfMegabyteCacheAndDelayCommitsOneMillisecond() {
        StoreConfig.H2Config h2 = ConfigLoader.defaults().load().store().h2();
        assertThat(h2.compactInterval()).isEqualTo(Duration.ofMillis(350));
        assertThat(h2.compactStep()).isEqualTo(1 << 19);
        assertThat(h2.cacheSize()).isEqualTo(1 << 19);
        assertThatThrownBy(() -> ConfigLoader.defaults().set("store.h2.cacheSize", "1000").load())
                .hasMessageContaining("'store.h2.cacheSize'");
        assertThat(ConfigLoader.defaults().load().store().commitDelay()).isEqualTo(Duration.ofMillis(3));
        assertThatThrownBy(() -> ConfigLoader.defaults().set("store.commitDelay", "1s").load())
                .hasMessageContaining("'store.commitDelay'");
        assertThat(ConfigLoader.defaults().set("store.h2.compactInterval", "0").load().store().h2().compactInterval())
                .isZero();
        assertThatThrownBy(() -> ConfigLoader.defaults().set("store.h2.compactStep", "100").load())
                .hasMessageContaining("'store.h2.compactStep'");
    }

    @Test
    void clusterIsOffByDefaultAndNeedsTheSharedStoreWhenOn() {
        ClusterConfig single = ConfigLoader.defaults().load().cluster();
        assertThat(single.enabled()).isFalse();
        assertThat(single.nodeId()).as("generated when empty").startsWith("node-");
        assertThat(single.redisPrefix()).isEqualTo("tandem:");
        ClusterConfig cluster = ConfigLoader.defaults().environment(Map.of(
                "TANDEM_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379", "TANDEM_CLUSTER_NODE_ID", "n1",
                "TANDEM_CLUSTER_REDIS_PREFIX", "t1:", "TANDEM_STORE_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test"))
                .load().cluster();
        assertThat(cluster.enabled()).isTrue();
        assertThat(cluster.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(cluster.nodeId()).isEqualTo("n1");
        assertThat(cluster.redisPrefix()).isEqualTo("t1:");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("cluster.redis.url", "redis://127.0.0.1:6379").load())
                .hasMessageContaining("'cluster.redis.url'").hasMessageContaining("store.postgres.url");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("cluster.redis.url", "127.0.0.1:6379").load())
                .hasMessageContaining("redis://");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("cluster.redis.url", "redis://127.0.0.1:6379")
                .set("store.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test").set("documents.store", "file").load())
                .hasMessageContaining("'documents.store'").hasMessageContaining("cluster");
    }

    @Test
    void environmentNamesAreDerivedFromKeyPaths() {
        assertThat(ConfigLoader.envName("port")).isEqualTo("TANDEM_PORT");
        assertThat(ConfigLoader.envName("dataDir")).isEqualTo("TANDEM_DATA_DIR");
        assertThat(ConfigLoader.envName("api.key")).isEqualTo("TANDEM_API_KEY");
        assertThat(ConfigLoader.envName("limits.maxFrameBytes")).isEqualTo("TANDEM_LIMITS_MAX_FRAME_BYTES");
    }

    @Test
    void badValuesNameTheirKey() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.defaults().set("port", "eighty").load())
                .isInstanceOf(ConfigException.class).hasMessageContaining("'port'");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("port", "70000").load())
                .hasMessageContaining("'port'").hasMessageContaining("65535");
        assertThatThrownBy(() -> ConfigLoader.defaults().file(write("limits:\n  maxFrameBytes: lots\n")).load())
                .hasMessageContaining("'limits.maxFrameBytes'");
        assertThatThrownBy(() -> ConfigLoader.defaults().file(write("namespaces:\n  chat:\n    history: forever\n")).load())
                .hasMessageContaining("'namespaces.chat.history'");
        assertThatThrownBy(() -> ConfigLoader.defaults().file(write("connection:\n  pingInterval: soon\n")).load())
                .hasMessageContaining("'connection.pingInterval'");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("namespaces.default.presence.statsResume", "1.5").load())
                .hasMessageContaining("'namespaces.default.presence.statsResume'").hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("namespaces.default.presence.statsInterval", "0s").load())
                .hasMessageContaining("'namespaces.default.presence.statsInterval'");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("namespaces.default.presence.batchWindow", "PT-0.02S").load())
                .hasMessageContaining("'namespaces.default.presence.batchWindow'");
        assertThatThrownBy(() -> ConfigLoader.defaults().set("transports.ioThreads", "-1").load())
                .hasMessageContaining("'transports.ioThreads'").hasMessageContaining("one per processor");
        assertThatThrownBy(() -> ConfigLoader.defaults().file(write("porrt: 1\n")).load())
                .hasMessageContaining("'porrt'").hasMessageContaining("unknown key");
        assertThatThrownBy(() -> ConfigLoader.defaults().file(write(": : :\n")).load())
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> ConfigLoader.defaults().file(dir.resolve("missing.yaml")))
                .hasMessageContaining("cannot read");
    }

    private Path write(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "tandem", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
