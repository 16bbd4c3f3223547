package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RedisMetricsTest {

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void aClusteredNodeRecordsRedisRoundTripsAndPubSubLag() {
        try (TestServer server = TestServer.start(RedisTestSupport.clusterConfig(RedisTestSupport.uniquePrefix()));
             WsClient ann = server.connect("ann")) {
            ann.subscribe("room:redis-metrics");
            ann.request(WsClient.command("presence:join").put("channel", "room:redis-metrics"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String scrape = server.get("/metrics").body();
                assertThat(value(scrape, "tandem_redis_roundtrip_seconds_count")).isPositive();
                assertThat(value(scrape, "tandem_redis_pubsub_lag_seconds_count")).isPositive();
                assertThat(scrape).contains("tandem_redis_roundtrip_seconds_bucket{le=\"+Inf\"}");
            });
        }
    }
}
