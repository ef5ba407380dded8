# The operator. Runs as a non-root user with a read-only root filesystem. Build from the repository root:
#   docker build -f images/operator.Dockerfile -t REGISTRY/workdisk-operator:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
COPY --from=build /src/demo/target/workdisk.jar /opt/workdisk/workdisk.jar
USER 65532:65532
# What LoadBenchmark measures (docs/benchmarks.md), keep them in step: the serial collector and two malloc arenas.
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-cp", "/opt/workdisk/workdisk.jar", "io.workdisk.operator.OperatorCommand"]
