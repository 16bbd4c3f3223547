package dev.tandem.yjs;

import java.nio.charset.StandardCharsets;

/**
 * Reads the lib0 binary encoding that Yjs and y-protocols use: unsigned LEB128 integers ({@code varUint}),
 * length-prefixed UTF-8 strings and byte arrays, and lib0 {@code any} values (which it only skips, so they can be
 * copied byte for byte). Malformed input raises {@link MalformedUpdateException}, never a runtime crash.
 */
public final class Lib0Reader {
    private final byte[] buf;
    private int pos;

    public Lib0Reader(byte[] buf) {
        this.buf = buf;
    }

    public boolean hasMore() {
        return pos < buf.length;
    }

    public int position() {
        return pos;
    }

    public int uint8() {
        if (pos >= buf.length) {
            throw new MalformedUpdateException("unexpected end of data at byte " + pos);
        }
        return buf[pos++] & 0xff;
    }

    /** An unsigned LEB128 integer of at most 53 bits, as lib0 writes JavaScript numbers. */
    public long varUint() {
        long value = 0;
        int shift = 0;
        while (true) {
            int b = uint8();
            value |= (long) (b & 0x7f) << shift;
            if (b < 0x80) {
                return value;
            }
            shift += 7;
            if (shift > 56) {
                throw new MalformedUpdateException("varUint longer than 53 bits at byte " + pos);
            }
        }
    }

    /** A varUint that must fit a non-negative int (lengths and counts). */
    public int length() {
        long value = varUint();
        if (value > Integer.MAX_VALUE) {
            throw new MalformedUpdateException("length " + value + " too large at byte " + pos);
        }
        return (int) value;
    }

    public byte[] bytes(int n) {
        if (n < 0 || n > buf.length - pos) {
            throw new MalformedUpdateException("expected " + n + " bytes at byte " + pos + ", have " + (buf.length - pos));
        }
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    public byte[] varBytes() {
        return bytes(length());
    }

    public String varString() {
        return new String(varBytes(), StandardCharsets.UTF_8);
    }

    /** The rest of the buffer. */
    public byte[] rest() {
        return bytes(buf.length - pos);
    }

    /** Skips one lib0 {@code any} value and returns its encoding. */
    public byte[] anyBytes() {
        int start = pos;
        skipAny(0);
        byte[] out = new byte[pos - start];
        System.arraycopy(buf, start, out, 0, out.length);
        return out;
    }

    private void skipAny(int depth) {
        if (depth > 100) {
            throw new MalformedUpdateException("any value nested deeper than 100");
        }
        int type = uint8();
        switch (type) {
            case 127, 126, 121, 120 -> { } // undefined, null, false, true
            case 125 -> skipVarInt();
            case 124 -> bytes(4);
            case 123, 122 -> bytes(8);
            case 119, 116 -> varBytes();
            case 118 -> {
                int n = length();
                for (int i = 0; i < n; i++) {
                    varBytes();
                    skipAny(depth + 1);
                }
            }
            case 117 -> {
                int n = length();
                for (int i = 0; i < n; i++) {
                    skipAny(depth + 1);
                }
            }
            default -> throw new MalformedUpdateException("unknown any type " + type + " at byte " + (pos - 1));
        }
    }

    private void skipVarInt() {
        int count = 0;
        while (uint8() >= 0x80) {
            if (++count > 10) {
                throw new MalformedUpdateException("varInt too long at byte " + pos);
            }
        }
    }
}
