package dev.tandem.yjs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The delete set of an update: per client, ranges of deleted clocks. Merging concatenates the ranges of every
 * set, then sorts and joins overlapping ones; writing orders clients by descending id, as Yjs does.
 */
final class YDeleteSet {
    record Range(long clock, long len) {
    }

    private final Map<Long, List<Range>> clients = new LinkedHashMap<>();

    static YDeleteSet read(Lib0Reader in) {
        YDeleteSet ds = new YDeleteSet();
        long numClients = in.varUint();
        for (long i = 0; i < numClients; i++) {
            long client = in.varUint();
            long deletes = in.varUint();
            if (deletes > 0) {
                List<Range> ranges = ds.clients.computeIfAbsent(client, c -> new ArrayList<>());
                for (long j = 0; j < deletes; j++) {
                    ranges.add(new Range(in.varUint(), in.varUint()));
                }
            }
        }
        return ds;
    }

    static YDeleteSet merge(List<YDeleteSet> sets) {
        YDeleteSet merged = new YDeleteSet();
        for (int i = 0; i < sets.size(); i++) {
            for (Map.Entry<Long, List<Range>> e : sets.get(i).clients.entrySet()) {
                if (merged.clients.containsKey(e.getKey())) {
                    continue;
                }
                List<Range> ranges = new ArrayList<>(e.getValue());
                for (int j = i + 1; j < sets.size(); j++) {
                    ranges.addAll(sets.get(j).clients.getOrDefault(e.getKey(), List.of()));
                }
                merged.clients.put(e.getKey(), ranges);
            }
        }
        merged.clients.replaceAll((client, ranges) -> sortAndJoin(ranges));
        return merged;
    }

    private static List<Range> sortAndJoin(List<Range> ranges) {
        ranges.sort(Comparator.comparingLong(Range::clock));
        List<Range> out = new ArrayList<>(ranges.size());
        for (Range r : ranges) {
            Range last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.clock + last.len >= r.clock) {
                out.set(out.size() - 1, new Range(last.clock, Math.max(last.len, r.clock + r.len - last.clock)));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    void write(Lib0Writer out) {
        out.varUint(clients.size());
        clients.entrySet().stream().sorted(Map.Entry.<Long, List<Range>>comparingByKey().reversed()).forEach(e -> {
            out.varUint(e.getKey()).varUint(e.getValue().size());
            for (Range r : e.getValue()) {
                out.varUint(r.clock).varUint(r.len);
            }
        });
    }
}
