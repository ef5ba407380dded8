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
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/workdisk/workdisk-agent.jar"]
CMD ["run"]
