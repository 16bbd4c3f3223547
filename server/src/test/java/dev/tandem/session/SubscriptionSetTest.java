package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SubscriptionSetTest {

    @Test
    void keepsSubscriptionOrderRefusesDuplicatesAndDrainsAtomically() {
        SubscriptionSet set = new SubscriptionSet();
        assertThat(set.add("a:1")).isTrue();
        assertThat(set.add("b:2")).isTrue();
        assertThat(set.add("a:1")).isFalse();
        assertThat(set.add("c:3")).isTrue();
        assertThat(set).containsExactly("a:1", "b:2", "c:3");
        assertThat(set.remove("b:2")).isTrue();
        assertThat(set.remove("b:2")).isFalse();
        assertThat(set.contains("b:2")).isFalse();
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.drain()).containsExactly("a:1", "c:3");
        assertThat(set.size()).isZero();
        assertThat(set.contains("a:1")).isFalse();
    }
}
