package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * README's "Use it" examples are objects the real API server takes (a server-side dry run of every claim,
 * pod and StorageClass), whose claims name a class the chart installs or the README defines, whose classes
 * carry only the parameters CreateVolume reads, and whose pods and VirtualMachines use claims it defines.
 */
@ExtendWith(SharedApiServer.class)
class ReadmeUseItTest {
    static final Path README = Path.of("..", "README.md");
    private static final Pattern YAML = Pattern.compile("(?s)```yaml\n(.*?)```");

    @Test
    void theExamplesAreAcceptedAndConsistentWithTheChart(RealApiServer api) throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf("### 4. Use it");
        String section = readme.substring(start, readme.indexOf("\n### ", start + 1));
        List<HasMetadata> objects = new ArrayList<>();
        Matcher m = YAML.matcher(section);
        while (m.find()) {
            for (String doc : m.group(1).split("(?m)^---$")) {
                objects.add(Serialization.unmarshal(doc, HasMetadata.class));
            }
        }
        Set<String> classes = new HashSet<>();
        HelmChartTest.render().stream()
                .filter(StorageClass.class::isInstance)
                .forEach(c -> classes.add(c.getMetadata().getName()));
        Set<String> claims = new HashSet<>();
        for (HasMetadata o : objects) {
            if (o instanceof StorageClass c) {
                classes.add(c.getMetadata().getName());
                assertThat(c.getProvisioner()).isEqualTo("workdisk.io");
                assertThat(CsiChartTest.PARAMETERS)
                        .containsAll(c.getParameters().keySet());
            } else if (o instanceof PersistentVolumeClaim claim) {
                claims.add(claim.getMetadata().getName());
            }
        }
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .contains("PersistentVolumeClaim", "Pod", "StorageClass", "VirtualMachine");
        try (KubernetesClient kube = api.newClient("user")) {
            for (HasMetadata o : objects) {
                if (o instanceof PersistentVolumeClaim claim) {
                    assertThat(classes)
                            .as("the class of claim %s", claim.getMetadata().getName())
                            .contains(claim.getSpec().getStorageClassName());
                } else if (o instanceof Pod pod) {
                    pod.getSpec()
                            .getVolumes()
                            .forEach(v -> assertThat(claims)
                                    .as("pod %s's claim", pod.getMetadata().getName())
                                    .contains(v.getPersistentVolumeClaim().getClaimName()));
                } else if (o instanceof GenericKubernetesResource vm) {
                    assertThat(vm.getKind()).isEqualTo("VirtualMachine");
                    List<Map<String, Object>> volumes = vm.get("spec", "template", "spec", "volumes");
                    assertThat(volumes)
                            .filteredOn(v -> v.containsKey("persistentVolumeClaim"))
                            .extracting(v -> ((Map<?, ?>) v.get("persistentVolumeClaim")).get("claimName"))
                            .isNotEmpty()
                            .allMatch(claims::contains);
                    continue; // no KubeVirt CRDs on the suite's server
                }
                o.getMetadata().setNamespace(o instanceof StorageClass ? null : "default");
                kube.resource(o).dryRun().create();
            }
        }
    }
}
