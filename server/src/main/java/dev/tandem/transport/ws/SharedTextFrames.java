package dev.tandem.transport.ws;

import dev.tandem.hub.FanoutBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Complete WebSocket text frames (header and payload, unmasked, as a server sends them) for the hub's shared
 * publication buffers, built once per event loop and written to every connection of that loop as duplicates.
 *
 * <p>Why. The hub encodes a publication once and hands each subscriber a duplicate of the same buffer; without
 * this, Netty's {@code WebSocket08FrameEncoder} then allocates a new buffer per delivery and copies header and
 * payload into it (it copies any frame up to 1 KiB), so a fanout to N connections paid N allocations, N copies
 * and N frees. Here the first connection on a loop frames the publication, the rest get a duplicate of that frame:
 * one small object per delivery ({@link FanoutBuffers#share}).
 *
 * <p>How a shared buffer is recognised. Duplicates of one publication have the same source buffer
 * ({@link FanoutBuffers#source}), so that buffer, with the memory address and length of the readable bytes (so
 * two slices of one buffer never share an entry), is the key. A buffer nobody else holds (a reply, a replay), or
 * a heap buffer, is framed by Netty as before and never cached. Each loop keeps the last {@value #SLOTS}
 * publications it framed, holding a duplicate of each so that the pool cannot recycle an identity while it is a
 * key; a loop's writes of one fanout come one after another, so a handful of slots catches them even when
 * connections hold a few frames each. Only frames up to {@value #MAX_CACHED_BYTES} bytes are cached (larger ones
 * Netty writes without copying anyway).
 */
final class SharedTextFrames {
    static final int SLOTS = 8;
    static final int MAX_CACHED_BYTES = 4096;
    private static final int TEXT_FINAL = 0x81;

    private static final FastThreadLocal<SharedTextFrames> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected SharedTextFrames initialValue() {
            return new SharedTextFrames();
        }

        /** Netty's event loop threads remove their thread-locals when they stop: give the buffers back. */
        @Override
        protected void onRemoval(SharedTextFrames cache) {
            cache.releaseAll();
        }
    };

    /** Each slot's publication by identity: the buffer every duplicate of it unwraps to. */
    private final ByteBuf[] sources = new ByteBuf[SLOTS];
    /**
     * What keeps each slot's publication alive: a duplicate of it, so that when the slot's release is the last
     * one it goes through the leak detector's wrapper like every other release (a release of the bare
     * {@code source} would free the memory but leave the wrapper's leak record open, reported as a leak).
     */
    private final ByteBuf[] keepAlive = new ByteBuf[SLOTS];
    private final long[] addresses = new long[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final ByteBuf[] frames = new ByteBuf[SLOTS];
    private int next;

    /**
     * A ready-to-write frame for {@code payload} (releasing {@code payload}), or null when the payload is not
     * shared with other connections or too large to be worth caching; then the caller frames it as usual.
     */
    static ByteBuf framed(ByteBuf payload, ByteBufAllocator alloc) {
        int length = payload.readableBytes();
        if (length > MAX_CACHED_BYTES || !payload.hasMemoryAddress()) {
            return null;
        }
        ByteBuf root = FanoutBuffers.source(payload);
        if (root == payload || root.refCnt() < 2) {
            return null;
        }
        ByteBuf frame = PER_LOOP.get().frameOf(root, payload, alloc);
        payload.release();
        return frame;
    }

    private ByteBuf frameOf(ByteBuf root, ByteBuf payload, ByteBufAllocator alloc) {
        long address = payload.memoryAddress() + payload.readerIndex();
        int length = payload.readableBytes();
        for (int i = 0; i < SLOTS; i++) {
            if (sources[i] == root && addresses[i] == address && lengths[i] == length) {
                return FanoutBuffers.share(frames[i]);
            }
        }
        int slot = next;
        next = (next + 1) % SLOTS;
        if (sources[slot] != null) {
            keepAlive[slot].release();
            frames[slot].release();
        }
        sources[slot] = root;
        keepAlive[slot] = payload.retainedDuplicate();
        addresses[slot] = address;
        lengths[slot] = length;
        frames[slot] = encode(payload, alloc);
        return FanoutBuffers.share(frames[slot]);
    }

    private void releaseAll() {
        for (int i = 0; i < SLOTS; i++) {
            if (sources[i] != null) {
                keepAlive[i].release();
                frames[i].release();
                sources[i] = null;
                keepAlive[i] = null;
                frames[i] = null;
            }
        }
    }

    /** RFC 6455 §5.2: FIN + text opcode, then a 7-bit, 16-bit or 64-bit length; servers do not mask. */
    static ByteBuf encode(ByteBuf payload, ByteBufAllocator alloc) {
        int length = payload.readableBytes();
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = alloc.directBuffer(header + length);
        frame.writeByte(TEXT_FINAL);
        if (length <= 125) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        return frame.writeBytes(payload, payload.readerIndex(), length);
    }
}
