package dev.tandem.yjs;

/**
 * One struct of an update as the lazy readers of Yjs see it: a run of {@code length} clocks of one client,
 * starting at {@code clock}. Items keep only what is written back (origins, parent, parent key, content);
 * {@link Gc} and {@link Skip} are just ranges. Mutable on purpose, like Yjs's structs: merging extends a GC
 * or a Skip in place.
 */
abstract sealed class YStruct {
    static final int GC_INFO = 0;
    static final int SKIP_INFO = 10;

    final long client;
    final long clock;

    YStruct(long client, long clock) {
        this.client = client;
        this.clock = clock;
    }

    abstract long length();

    final long end() {
        return clock + length();
    }

    abstract void write(Lib0Writer out, int offset);

    /** Extends this struct by {@code right} when both are of a kind that merges (GC with GC, Skip with Skip). */
    boolean mergeWith(YStruct right) {
        return false;
    }

    /** The part of this struct from {@code diff} clocks on (Yjs {@code sliceStruct}). */
    abstract YStruct sliceFrom(long diff);

    static final class Gc extends YStruct {
        long length;

        Gc(long client, long clock, long length) {
            super(client, clock);
            this.length = length;
        }

        long length() {
            return length;
        }

        void write(Lib0Writer out, int offset) {
            out.uint8(GC_INFO).varUint(length - offset);
        }

        @Override
        boolean mergeWith(YStruct right) {
            if (!(right instanceof Gc)) {
                return false;
            }
            length += right.length();
            return true;
        }

        YStruct sliceFrom(long diff) {
            return new Gc(client, clock + diff, length - diff);
        }
    }

    static final class Skip extends YStruct {
        long length;

        Skip(long client, long clock, long length) {
            super(client, clock);
            this.length = length;
        }

        long length() {
            return length;
        }

        void write(Lib0Writer out, int offset) {
            out.uint8(SKIP_INFO).varUint(length - offset);
        }

        @Override
        boolean mergeWith(YStruct right) {
            if (!(right instanceof Skip)) {
                return false;
            }
            length += right.length();
            return true;
        }

        YStruct sliceFrom(long diff) {
            return new Skip(client, clock + diff, length - diff);
        }
    }

    /**
     * An item. {@code parentName} / {@code parentId} are set only when neither origin is (Yjs can then infer
     * the parent); {@code parentSub} likewise, as the lazy reader of Yjs only reads it in that case.
     */
    static final class Item extends YStruct {
        final YId origin;
        final YId rightOrigin;
        final String parentName;
        final YId parentId;
        final String parentSub;
        final YContent content;

        Item(long client, long clock, YId origin, YId rightOrigin, String parentName, YId parentId, String parentSub,
             YContent content) {
            super(client, clock);
            this.origin = origin;
            this.rightOrigin = rightOrigin;
            this.parentName = parentName;
            this.parentId = parentId;
            this.parentSub = parentSub;
            this.content = content;
        }

        long length() {
            return content.length();
        }

        void write(Lib0Writer out, int offset) {
            YId from = offset > 0 ? new YId(client, clock + offset - 1) : origin;
            int info = (content.ref() & 0x1f) | (from == null ? 0 : 0x80) | (rightOrigin == null ? 0 : 0x40)
                    | (parentSub == null ? 0 : 0x20);
            out.uint8(info);
            if (from != null) {
                from.write(out);
            }
            if (rightOrigin != null) {
                rightOrigin.write(out);
            }
            if (from == null && rightOrigin == null) {
                if (parentName != null) {
                    out.varUint(1).varString(parentName);
                } else if (parentId != null) {
                    out.varUint(0);
                    parentId.write(out);
                }
                if (parentSub != null) {
                    out.varString(parentSub);
                }
            }
            content.write(out, offset);
        }

        YStruct sliceFrom(long diff) {
            return new Item(client, clock + diff, new YId(client, clock + diff - 1), rightOrigin, parentName, parentId,
                    parentSub, content.splice((int) diff));
        }
    }
}
