package io.workdisk.api.workseed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import io.workdisk.api.ConditionSchema;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkSeedStatus(
        @JsonPropertyDescription("One entry per node that has, or should have, the seed.")
        List<NodeSeedStatus> nodes,

        @JsonPropertyDescription("Nodes that have the seed, built from the current spec.")
        Integer readyNodes,

        @JsonPropertyDescription(
                "Nodes that should have the seed: those with a workdisk agent that match spec.nodeSelector.")
        Integer desiredNodes,

        @JsonPropertyDescription("readyNodes/desiredNodes (e.g. 2/3), for kubectl get.")
        String ready,

        @JsonPropertyDescription("spec.source in one line (hostPath:PATH, http:URL, image:REFERENCE@sha256:SHORT "
                + "once resolved, or ociArchive:PATH), for kubectl get.")
        String source,

        @JsonPropertyDescription("Image sources: the digest spec.source.image.reference was resolved to, once, by "
                + "one node's agent; every node builds from it.")
        ResolvedImage resolvedImage,

        @JsonPropertyDescription("Nodes building, with how far each has come (e.g. node-a 120Mi/260Mi, 3052 "
                + "entries), for kubectl get.")
        String progress,

        @JsonPropertyDescription(
                "Ready: True when every node that should have the seed has it, built from the current spec; "
                        + "False with why not otherwise (Building, BuildFailed, NoNodes, Deleting). Reconciling (on its way) and "
                        + "Stalled (BuildFailed, ResolveFailed): kstatus's conditions, present only while True, with Ready's reason.")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,

        @JsonPropertyDescription("The generation of the spec this status describes.")
        Long observedGeneration) {}
