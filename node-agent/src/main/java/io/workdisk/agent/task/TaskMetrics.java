package io.workdisk.agent.task;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.workdisk.api.task.TaskType;
import java.time.Duration;

/**
 * The agent's own meters: how long each kind of task takes, how many bytes its images hold on the host,
 * and why tasks fail. Names are documented in docs/metrics.md.
 */
public final class TaskMetrics {
    private final MeterRegistry registry;

    public TaskMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void succeeded(TaskType type, double seconds, Long allocatedBytes) {
        Timer.builder("workdisk_agent_task_seconds")
                .description("Wall time of a task's engine step")
                .tag("type", type.name())
                .tag("result", "Succeeded")
                .register(registry)
                .record(Duration.ofNanos((long) (seconds * 1e9)));
        if (allocatedBytes != null && type != TaskType.Delete) {
            Counter.builder("workdisk_agent_written")
                    .description("Host bytes allocated by images the agent made or grew")
                    .baseUnit("bytes")
                    .tag("type", type.name())
                    .register(registry)
                    .increment(allocatedBytes);
        }
    }

    public void failed(TaskType type, String reason) {
        Counter.builder("workdisk_agent_task_failures")
                .description("Tasks that failed, by engine reason")
                .tag("type", String.valueOf(type))
                .tag("reason", reason)
                .register(registry)
                .increment();
    }
}
