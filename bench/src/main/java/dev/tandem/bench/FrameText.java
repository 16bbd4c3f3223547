package dev.tandem.bench;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A received frame's JSON text as bytes, for recognising and timing it by scanning for known ASCII keys instead of
 * decoding it to a string, since the generator shares the cores with the server under test. Decoding every
 * presence frame to a string was 90 % of what the generator allocated in the presence churn, and its young
 * collections (every ~1.2 s, 10–30 ms) showed up in the latencies it measured. Scanning the {@link ByteBuf} byte
 * by byte costs a bounds and reference-count check per byte, so the frame is copied once into an array kept per
 * event-loop thread: a view is valid until that thread reads its next frame, and must not be kept.
 */
final class FrameText {
    private static final FastThreadLocal<FrameText> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected FrameText initialValue() {
            return new FrameText();
        }
    };

    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private byte[] bytes = new byte[4096];
    private int length;

    private FrameText() {
    }

    /** The frame's readable bytes, in this thread's scratch view. */
    static FrameText of(ByteBuf frame) {
        FrameText text = SCRATCH.get();
        text.length = frame.readableBytes();
        if (text.bytes.length < text.length) {
            text.bytes = new byte[Integer.highestOneBit(text.length) << 1];
        }
        frame.getBytes(frame.readerIndex(), text.bytes, 0, text.length);
        return text;
    }

    /** The ASCII bytes of a search key. */
    static byte[] ascii(String key) {
        return key.getBytes(StandardCharsets.US_ASCII);
    }

    int length() {
        return length;
    }

    boolean startsWith(byte[] prefix) {
        return matchesAt(0, prefix);
    }

    /** Whether {@code key} occurs at {@code at}. */
    boolean matchesAt(int at, byte[] key) {
        if (at < 0 || at + key.length > length) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (bytes[at + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    byte byteAt(int at) {
        return at < length ? bytes[at] : 0;
    }

    /**
     * Where {@code key} first starts in {@code [from, to)} (and ends by {@code to}), or -1. The scan looks for one
     * byte of the key, eight bytes at a time, and compares the rest only where it finds it: the key's first byte,
     * or its last when the first is a quote, since JSON has a quote every few bytes but a {@code :} or {@code [}
     * (how the keys searched for end) far less often.
     */
    int indexOf(byte[] key, int from, int to) {
        int anchor = key[0] == '"' ? key.length - 1 : 0;
        int end = Math.min(to, length) - key.length + anchor;
        for (int at = find(key[anchor], Math.max(from, 0) + anchor, end); at >= 0; at = find(key[anchor], at + 1, end)) {
            if (matchesAt(at - anchor, key)) {
                return at - anchor;
            }
        }
        return -1;
    }

    /** Where {@code wanted} first occurs in {@code [from, last]}, or -1 (SWAR: a word of eight bytes per step). */
    private int find(byte wanted, int from, int last) {
        long pattern = ONES * (wanted & 0xFF);
        int at = from;
        for (; at + Long.BYTES - 1 <= last; at += Long.BYTES) {
            long diff = (long) WORDS.get(bytes, at) ^ pattern;
            long zeros = (diff - ONES) & ~diff & HIGHS;
            if (zeros != 0) {
                return at + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; at <= last; at++) {
            if (bytes[at] == wanted) {
                return at;
            }
        }
        return -1;
    }

    /** Where {@code key} last starts, or -1: for a field that frames end with, such as {@code timestamp}. */
    int lastIndexOf(byte[] key) {
        for (int at = length - key.length; at >= 0; at--) {
            if (bytes[at] == key[0] && matchesAt(at, key)) {
                return at;
            }
        }
        return -1;
    }

    /** Where {@code key} first starts from {@code from} on, or -1. */
    int indexOf(byte[] key, int from) {
        return indexOf(key, from, length);
    }

    /** The unsigned decimal number whose digits start at {@code from} (0 when none do). */
    long numberAt(int from) {
        long value = 0;
        for (int i = from; i < length; i++) {
            byte c = bytes[i];
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The first {@code max} characters, for an error message. */
    String head(int max) {
        return new String(bytes, 0, Math.min(length, max), StandardCharsets.UTF_8);
    }
}
