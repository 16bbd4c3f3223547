package dev.tandem.yjs;

/**
 * Reads the struct section of a v1 update one struct at a time (Yjs {@code LazyStructReader}), optionally
 * skipping {@link YStruct.Skip}s. After the last struct, {@link #deleteSet()} reads the delete set that follows.
 */
final class YStructReader {
    private final Lib0Reader in;
    private final boolean filterSkips;
    private long clientsLeft;
    private long structsLeft;
    private long client;
    private long clock;
    private YStruct curr;

    YStructReader(Lib0Reader in, boolean filterSkips) {
        this.in = in;
        this.filterSkips = filterSkips;
        this.clientsLeft = in.varUint();
        next();
    }

    YStruct curr() {
        return curr;
    }

    YStruct next() {
        do {
            curr = read();
        } while (filterSkips && curr instanceof YStruct.Skip);
        return curr;
    }

    YDeleteSet deleteSet() {
        if (curr != null) {
            throw new IllegalStateException("structs not fully read");
        }
        return YDeleteSet.read(in);
    }

    private YStruct read() {
        while (structsLeft == 0) {
            if (clientsLeft == 0) {
                return null;
            }
            clientsLeft--;
            structsLeft = in.varUint();
            client = in.varUint();
            clock = in.varUint();
        }
        structsLeft--;
        YStruct struct = readStruct();
        clock += struct.length();
        return struct;
    }

    private long positive(long length) {
        if (length <= 0) {
            throw new MalformedUpdateException("struct of length 0 at client " + client + " clock " + clock);
        }
        return length;
    }

    private YStruct readStruct() {
        int info = in.uint8();
        if (info == YStruct.SKIP_INFO) {
            return new YStruct.Skip(client, clock, positive(in.varUint()));
        }
        if ((info & 0x1f) == 0) {
            return new YStruct.Gc(client, clock, positive(in.varUint()));
        }
        YId origin = (info & 0x80) != 0 ? YId.read(in) : null;
        YId rightOrigin = (info & 0x40) != 0 ? YId.read(in) : null;
        String parentName = null;
        YId parentId = null;
        String parentSub = null;
        if ((info & 0xc0) == 0) {
            if (in.varUint() == 1) {
                parentName = in.varString();
            } else {
                parentId = YId.read(in);
            }
            if ((info & 0x20) != 0) {
                parentSub = in.varString();
            }
        }
        YContent content = YContent.read(in, info & 0x1f);
        if (content.length() <= 0) {
            throw new MalformedUpdateException("struct of length 0 at client " + client + " clock " + clock);
        }
        return new YStruct.Item(client, clock, origin, rightOrigin, parentName, parentId, parentSub, content);
    }
}
