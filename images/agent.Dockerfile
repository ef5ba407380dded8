# The node agent: the disk engine and `workdisk agent run`, with e2fsprogs. Runs privileged as root (see
# the chart's DaemonSet). Build from the repository root:
#   docker build -f images/agent.Dockerfile -t REGISTRY/workdisk-agent:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package -pl node-agent -am

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends e2fsprogs \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/node-agent/target/workdisk-agent.jar /opt/workdisk/workdisk-agent.jar
ENV LC_ALL=C.UTF-8
# What LoadBenchmark measures (docs/benchmarks.md), keep them in step: the serial collector (the JVM's pick
# under a 256Mi limit anyway), C1 only (the agent's heavy work runs in e2fsprogs; C2's code and arenas
# cost ~30 MiB of resident memory), and two malloc arenas instead of one per thread.
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:MaxRAMPercentage=75", "-jar", "/opt/workdisk/workdisk-agent.jar"]
CMD ["run"]
