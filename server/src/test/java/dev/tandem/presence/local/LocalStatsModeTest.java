package dev.tandem.presence.local;

import dev.tandem.presence.StatsModeContract;
import java.util.Map;

/** Stats mode of crowded channels on a single node, with the in-memory presence store. */
class LocalStatsModeTest extends StatsModeContract {
    @Override
    protected Map<String, String> storeConfig() {
        return Map.of();
    }
}
