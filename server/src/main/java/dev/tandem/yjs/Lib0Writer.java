package dev.tandem.yjs;

import java.util.Arrays;

/**
 * Writes the lib0 binary encoding (see {@link Lib0Reader}). Strings are encoded to UTF-8 the way JavaScript's
 * {@code TextEncoder} does it, lone surrogates becoming U+FFFD, so the bytes agree with Yjs even for a string
 * split inside a surrogate pair.
 */
public final class Lib0Writer {
    private byte[] buf;
    private int size;

    public Lib0Writer() {
        this(64);
    }

    public Lib0Writer(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    public int size() {
        return size;
    }

    public Lib0Writer uint8(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    public Lib0Writer varUint(long value) {
        while (value > 0x7f) {
            uint8((int) (0x80 | (value & 0x7f)));
            value >>>= 7;
        }
        return uint8((int) value);
    }

    public Lib0Writer bytes(byte[] data) {
        ensure(data.length);
        System.arraycopy(data, 0, buf, size, data.length);
        size += data.length;
        return this;
    }

    public Lib0Writer varBytes(byte[] data) {
        return varUint(data.length).bytes(data);
    }

    public Lib0Writer varString(String s) {
        return varBytes(utf8(s));
    }

    /** The varUint encoding of one value. */
    public static byte[] varUintBytes(long value) {
        return new Lib0Writer(16).varUint(value).toByteArray();
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    /** UTF-8 as {@code TextEncoder} produces it: unpaired surrogates are written as U+FFFD. */
    static byte[] utf8(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i);
            if (Character.isHighSurrogate((char) c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint((char) c, s.charAt(++i));
                out[n++] = (byte) (0xf0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                out[n++] = (byte) (0x80 | (cp & 0x3f));
                continue;
            }
            if (Character.isSurrogate((char) c)) {
                c = 0xfffd;
            }
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xc0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3f));
            } else {
                out[n++] = (byte) (0xe0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[n++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return Arrays.copyOf(out, n);
    }
}
