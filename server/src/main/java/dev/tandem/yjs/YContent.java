package dev.tandem.yjs;

import java.util.ArrayList;
import java.util.List;

/**
 * The content of a Yjs item, kept as close to its encoding as possible: strings as Java strings (UTF-16, so
 * lengths and split points are the ones Yjs counts), {@code any} and JSON elements as their encoded bytes, and
 * single-element contents (binary, embed, format, type, doc) as opaque bytes. It supports what update merging
 * and diffing need: length, splitting at an offset and writing from an offset.
 */
abstract sealed class YContent {
    static final int DELETED = 1;
    static final int JSON = 2;
    static final int BINARY = 3;
    static final int STRING = 4;
    static final int EMBED = 5;
    static final int FORMAT = 6;
    static final int TYPE = 7;
    static final int ANY = 8;
    static final int DOC = 9;

    abstract int ref();

    abstract long length();

    /** Keeps the first {@code offset} elements here and returns the rest (Yjs {@code splice}). */
    abstract YContent splice(int offset);

    abstract void write(Lib0Writer out, int offset);

    static YContent read(Lib0Reader in, int ref) {
        return switch (ref) {
            case DELETED -> new Deleted(in.varUint());
            case JSON -> new Elements(JSON, readList(in, false));
            case STRING -> new Str(in.varString());
            case ANY -> new Elements(ANY, readList(in, true));
            case BINARY -> new Single(BINARY, in.varBytes(), null);
            case EMBED -> new Single(EMBED, in.varBytes(), null);
            case FORMAT -> new Single(FORMAT, in.varBytes(), in.varBytes());
            case TYPE -> readType(in);
            case DOC -> new Single(DOC, in.varBytes(), in.anyBytes());
            default -> throw new MalformedUpdateException("unknown content type " + ref);
        };
    }

    private static List<byte[]> readList(Lib0Reader in, boolean any) {
        int n = in.length();
        List<byte[]> elements = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            elements.add(any ? in.anyBytes() : in.varBytes());
        }
        return elements;
    }

    private static YContent readType(Lib0Reader in) {
        long typeRef = in.varUint();
        // YXmlElement (3) and YXmlHook (5) carry a node name / hook name.
        byte[] key = typeRef == 3 || typeRef == 5 ? in.varBytes() : null;
        return new Single(TYPE, Lib0Writer.varUintBytes(typeRef), key);
    }

    /** {@code ContentDeleted}: only a length. */
    static final class Deleted extends YContent {
        private long len;

        Deleted(long len) {
            this.len = len;
        }

        int ref() {
            return DELETED;
        }

        long length() {
            return len;
        }

        YContent splice(int offset) {
            Deleted right = new Deleted(len - offset);
            len = offset;
            return right;
        }

        void write(Lib0Writer out, int offset) {
            out.varUint(len - offset);
        }
    }

    /** {@code ContentString}; a split inside a surrogate pair replaces both halves with U+FFFD, as Yjs does. */
    static final class Str extends YContent {
        private String str;

        Str(String str) {
            this.str = str;
        }

        int ref() {
            return STRING;
        }

        long length() {
            return str.length();
        }

        YContent splice(int offset) {
            Str right = new Str(str.substring(offset));
            str = str.substring(0, offset);
            char last = str.charAt(offset - 1);
            if (last >= 0xD800 && last <= 0xDBFF) {
                str = str.substring(0, offset - 1) + '\uFFFD';
                right.str = '\uFFFD' + right.str.substring(1);
            }
            return right;
        }

        void write(Lib0Writer out, int offset) {
            out.varString(offset == 0 ? str : str.substring(offset));
        }
    }

    /** {@code ContentAny} and {@code ContentJSON}: a list of separately encoded elements. */
    static final class Elements extends YContent {
        private final int ref;
        private List<byte[]> elements;

        Elements(int ref, List<byte[]> elements) {
            this.ref = ref;
            this.elements = elements;
        }

        int ref() {
            return ref;
        }

        long length() {
            return elements.size();
        }

        YContent splice(int offset) {
            Elements right = new Elements(ref, new ArrayList<>(elements.subList(offset, elements.size())));
            elements = new ArrayList<>(elements.subList(0, offset));
            return right;
        }

        void write(Lib0Writer out, int offset) {
            out.varUint(elements.size() - offset);
            for (int i = offset; i < elements.size(); i++) {
                if (ref == JSON) {
                    out.varBytes(elements.get(i));
                } else {
                    out.bytes(elements.get(i));
                }
            }
        }
    }

    /**
     * A content of length one, written back exactly as read: binary, embed, format (key + value), type
     * (type ref + optional name) and subdocument (guid + options).
     */
    static final class Single extends YContent {
        private final int ref;
        private final byte[] first;
        private final byte[] second;

        Single(int ref, byte[] first, byte[] second) {
            this.ref = ref;
            this.first = first;
            this.second = second;
        }

        int ref() {
            return ref;
        }

        long length() {
            return 1;
        }

        YContent splice(int offset) {
            throw new MalformedUpdateException("content of type " + ref + " has length 1 and cannot be split");
        }

        void write(Lib0Writer out, int offset) {
            if (ref == TYPE) {
                out.bytes(first);
                if (second != null) {
                    out.varBytes(second);
                }
                return;
            }
            out.varBytes(first);
            if (second != null) {
                if (ref == DOC) {
                    out.bytes(second);
                } else {
                    out.varBytes(second);
                }
            }
        }
    }
}
