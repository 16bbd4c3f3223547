package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class StompDestinationTest {
    @Test
    void springDottedAndColonTopicsMapToTheSameChannel() {
        assertThat(StompDestination.forSubscribe("/topic/chat.general", "u").channel()).isEqualTo("chat:general");
        assertThat(StompDestination.forSubscribe("/topic/chat:general", "u").channel()).isEqualTo("chat:general");
        assertThat(StompDestination.forSend("/app/chat.general", "u").channel()).isEqualTo("chat:general");
        assertThat(StompDestination.forSubscribe("/queue/jobs.eu.west", "u").channel()).isEqualTo("jobs:eu.west");
        assertThat(StompDestination.forSubscribe("/topic/entity:Task:42", "u").channel()).isEqualTo("entity:Task:42");
    }

    @Test
    void namesWithoutDotOrColonAndBareChannelNamesAreKeptAsTheyAre() {
        assertThat(StompDestination.forSubscribe("/topic/greetings", "u").channel()).isEqualTo("greetings");
        assertThat(StompDestination.forSubscribe("chat:general", "u").channel()).isEqualTo("chat:general");
    }

    @Test
    void userDestinationsMapToThePrivateChannel() {
        assertThat(StompDestination.forSubscribe("/user/queue/notifications", "alice").channel()).isEqualTo("user:alice");
        assertThat(StompDestination.forSend("/user/bob/queue/notifications", "alice").channel()).isEqualTo("user:bob");
        assertThat(StompDestination.forSend("/user/queue/notes", "alice").channel()).isEqualTo("user:alice");
    }

    @Test
    void invalidChannelsAndUnknownPrefixesAreRejected() {
        assertThatThrownBy(() -> StompDestination.forSubscribe("/topic/has space", "u"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("is not a valid channel");
        assertThatThrownBy(() -> StompDestination.forSubscribe("/topic/", "u")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> StompDestination.forSubscribe("/exchange/x", "u"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("unknown destination");
        assertThatThrownBy(() -> StompDestination.forSubscribe("/app/x", "u")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> StompDestination.forSubscribe(null, "u")).isInstanceOf(ProtocolException.class);
    }
}
