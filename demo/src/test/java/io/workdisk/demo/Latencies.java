package io.workdisk.demo;

import java.util.List;

/** Many waits summed up as the benchmarks report them: median, 99th percentile and largest, in seconds. */
record Latencies(double median, double p99, double max) {
    static Latencies of(List<Double> seconds) {
        List<Double> sorted = seconds.stream().sorted().toList();
        return new Latencies(
                sorted.get((sorted.size() - 1) / 2),
                sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1),
                sorted.get(sorted.size() - 1));
    }

    /** As a table cell, with {@code decimals} places and no unit. */
    String cell(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(f + " / " + f + " / " + f, median, p99, max);
    }

    @Override
    public String toString() {
        return cell(2) + " s";
    }
}
