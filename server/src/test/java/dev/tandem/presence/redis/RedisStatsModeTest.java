package dev.tandem.presence.redis;

import dev.tandem.cluster.RedisTestSupport;
import dev.tandem.presence.StatsModeContract;
import java.util.Map;

/**
 * Stats mode of crowded channels with the Redis presence store (a fresh key prefix and schema): the counts that
 * switch the mode come from the store's scripts, and the channel's stats broadcasts read the counts from Redis.
 */
class RedisStatsModeTest extends StatsModeContract {
    @Override
    protected Map<String, String> storeConfig() {
        return RedisTestSupport.clusterConfig(RedisTestSupport.uniquePrefix());
    }
}
