package io.workdisk.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CPU time this test's processes have used (the API server and etcd kube-api-test starts, the control plane,
 * the operator and agents, and what they ran and waited for, such as mkfs), by program, from {@code /proc}. On a
 * shared machine a wall-clock figure also measures the neighbours; CPU seconds measure only what ran here.
 */
final class CpuUse {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on every Linux the suite runs on

    private final Map<Long, Sample> byPid;

    private record Sample(String program, double seconds) {}

    private CpuUse(Map<Long, Sample> byPid) {
        this.byPid = byPid;
    }

    /** Every descendant of this JVM and the JVM itself, now. */
    static CpuUse now() {
        Map<Long, Sample> samples = new HashMap<>();
        sample(ProcessHandle.current().pid(), samples);
        ProcessHandle.current().descendants().forEach(p -> sample(p.pid(), samples));
        return new CpuUse(samples);
    }

    /** CPU seconds used by program between {@code before} and this sample (processes started since count whole). */
    Map<String, Double> since(CpuUse before) {
        Map<String, Double> out = new TreeMap<>();
        byPid.forEach((pid, s) -> {
            Sample then = before.byPid.get(pid);
            double used = s.seconds() - (then == null ? 0 : then.seconds());
            out.merge(s.program(), used, Double::sum);
        });
        return out;
    }

    /** A JVM by what it runs: the project's main class, or this test's own JVM. */
    private static String javaMain(long pid) throws IOException {
        if (pid == ProcessHandle.current().pid()) {
            return "java (the test)";
        }
        String[] args = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                .split("\0");
        for (String a : args) {
            if (a.startsWith("io.workdisk.")) {
                return "java " + a.substring(a.lastIndexOf('.') + 1);
            }
        }
        return "java";
    }

    private static void sample(long pid, Map<Long, Sample> into) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) state ppid ...": comm may hold spaces, so fields are counted after its closing parenthesis
            String program = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime, stime, cutime, cstime are fields 14-17 of stat; after comm, index 11-14
            double ticks =
                    Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            into.put(pid, new Sample(program.equals("java") ? javaMain(pid) : program, ticks / TICKS_PER_SECOND));
        } catch (IOException | RuntimeException e) {
            // the process ended between the listing and the read: it has nothing more to count
        }
    }
}
