package dev.tandem.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriberSetTest {

    @Test
    void membershipStaysExactWhileTheSetGrowsPastItsIndexAndShrinksBack() {
        SubscriberSet set = new SubscriberSet();
        List<Subscriber> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Subscriber s = new Named(i);
            all.add(s);
            assertThat(set.contains(s)).isFalse();
            set.add(s);
            assertThat(set.contains(s)).isTrue();
        }
        assertThat(set.array()).containsExactlyElementsOf(all);
        for (int i = 0; i < 36; i++) {
            assertThat(set.remove(all.get(i))).isTrue();
            assertThat(set.remove(all.get(i))).as("second removal").isFalse();
            assertThat(set.contains(all.get(i))).isFalse();
        }
        assertThat(set.array()).containsExactlyElementsOf(all.subList(36, 40));
        all.subList(36, 40).forEach(s -> assertThat(set.contains(s)).isTrue());
        all.subList(36, 40).forEach(set::remove);
        assertThat(set.isEmpty()).isTrue();
        assertThat(set.contains(all.get(39))).isFalse();
    }

    @Test
    void anArrayHandedToFanoutIsNotChangedByLaterJoinsOrLeaves() {
        SubscriberSet set = new SubscriberSet();
        Subscriber a = new Named(1);
        Subscriber b = new Named(2);
        set.add(a);
        Subscriber[] seen = set.array();
        set.add(b);
        set.remove(a);
        assertThat(seen).containsExactly(a);
        assertThat(set.array()).containsExactly(b);
    }

    private record Named(int id) implements Subscriber {
        @Override
        public void send(ByteBuf frame) {
            frame.release();
        }
    }
}
