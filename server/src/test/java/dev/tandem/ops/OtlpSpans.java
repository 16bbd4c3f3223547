package dev.tandem.ops;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the spans out of OTLP/HTTP export bodies (protobuf {@code ExportTraceServiceRequest}) with a
 * twenty-line wire-format walker, so tests can check span names and parents without a protobuf library:
 * request.resource_spans(1) → scope_spans(2) → spans(2) → trace_id(1), span_id(2), parent_span_id(4), name(5).
 */
final class OtlpSpans {

    /** One exported span; ids in hex, the parent empty for a root span. */
    record Span(String name, String traceId, String spanId, String parentId) {
    }

    private OtlpSpans() {
    }

    static List<Span> decode(List<byte[]> bodies) {
        List<Span> spans = new ArrayList<>();
        for (byte[] body : bodies) {
            for (byte[] resourceSpans : fields(body, 1)) {
                for (byte[] scopeSpans : fields(resourceSpans, 2)) {
                    for (byte[] span : fields(scopeSpans, 2)) {
                        spans.add(new Span(new String(first(span, 5)), hex(first(span, 1)), hex(first(span, 2)),
                                hex(first(span, 4))));
                    }
                }
            }
        }
        return spans;
    }

    private static byte[] first(byte[] message, int field) {
        List<byte[]> values = fields(message, field);
        return values.isEmpty() ? new byte[0] : values.get(0);
    }

    /** The length-delimited values of {@code field} in {@code message}, skipping every other field. */
    private static List<byte[]> fields(byte[] message, int field) {
        List<byte[]> values = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(message);
        while (in.available() > 0) {
            long key = varint(in);
            int wireType = (int) (key & 7);
            // Protobuf wire types: 0 varint, 1 fixed64, 5 fixed32 (skipped by their size), 2 length-delimited.
            switch (wireType) {
                case 0 -> varint(in);
                case 1 -> in.readNBytes(new byte[8], 0, 8);
                case 5 -> in.readNBytes(new byte[4], 0, 4);
                case 2 -> {
                    byte[] value = new byte[(int) varint(in)];
                    in.readNBytes(value, 0, value.length);
                    if (key >>> 3 == field) {
                        values.add(value);
                    }
                }
                default -> throw new IllegalArgumentException("unexpected wire type " + wireType);
            }
        }
        return values;
    }

    private static long varint(ByteArrayInputStream in) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.read();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
