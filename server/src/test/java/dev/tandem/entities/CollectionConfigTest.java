package dev.tandem.entities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.config.ConfigException;
import dev.tandem.config.TandemConfig;
import dev.tandem.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code collections.<name>} and {@code entities} are bound with their defaults and checked once at start. */
class CollectionConfigTest {

    @Test
    void aDeclaredCollectionTakesTheEntitiesDefaultsForWhatItLeavesOut() {
        TandemConfig config = TestServer.config(Map.of("collections.invoices.conflict", "merge",
                "collections.invoices.read", "role:accounting", "entities.historyDepth", "7"));
        CollectionPolicy policy = new CollectionCatalog(config).find("invoices");
        assertThat(policy.conflict()).isEqualTo(ConflictStrategy.merge);
        assertThat(policy.read()).containsExactly("role:accounting");
        assertThat(policy.write()).containsExactly("authenticated");
        assertThat(policy.historyDepth()).isEqualTo(7);
        assertThat(policy.ownerField()).isEqualTo("owner");
        assertThat(policy.partialUpdates()).isFalse();
        assertThat(config.entities().maxDocumentBytes()).isEqualTo(1_048_576);
    }

    @Test
    void badCollectionSettingsAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> TestServer.config(Map.of("collections.c.conflict", "newest")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("collections.c.conflict");
        assertThatThrownBy(() -> TestServer.config(Map.of("collections.c.read", "owners")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("collections.c.read");
        assertThatThrownBy(() -> TestServer.config(Map.of("collections.c.historyDepth", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("collections.c.historyDepth");
        assertThatThrownBy(() -> TestServer.config(Map.of("entities.maxDocumentBytes", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("entities.maxDocumentBytes");
    }

    @Test
    void aSchemaThatIsNeitherAMappingNorAReadableFileStopsTheStart() {
        TandemConfig config = TestServer.config(Map.of("collections.c.schema", "/nonexistent/schema.json"));
        assertThatThrownBy(() -> new CollectionCatalog(config))
                .isInstanceOf(ConfigException.class).hasMessageContaining("collections.c.schema");
    }
}
