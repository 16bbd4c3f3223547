package dev.tandem.presence.local;

import dev.tandem.presence.PresenceStore;
import dev.tandem.presence.PresenceStoreContract;

class LocalPresenceStoreTest extends PresenceStoreContract {
    @Override
    protected PresenceStore newStore() {
        return new LocalPresenceStore();
    }
}
