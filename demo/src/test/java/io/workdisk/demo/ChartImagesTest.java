package io.workdisk.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * By default the chart pulls the released images: ghcr.io/OWNER/workdisk-{operator,agent} at the chart's
 * appVersion, the names images/build gives its archives and the release workflow pushes.
 */
class ChartImagesTest {
    @Test
    void imagesDefaultToTheReleasedOnesAtTheAppVersion() throws Exception {
        Matcher m = Pattern.compile("(?m)^appVersion: \"?([^\"\\n]+)\"?$")
                .matcher(Files.readString(HelmChartTest.CHART.resolve("Chart.yaml")));
        assertThat(m.find()).isTrue();
        String appVersion = m.group(1);
        List<HasMetadata> chart = HelmChartTest.render();
        assertThat(operator(chart).getImage())
                .matches("ghcr\\.io/[a-z0-9-]+/workdisk-operator:" + Pattern.quote(appVersion));
        assertThat(agent(chart).getImage()).matches("ghcr\\.io/[a-z0-9-]+/workdisk-agent:" + Pattern.quote(appVersion));
        String owner = operator(chart).getImage().split("/")[1];
        assertThat(agent(chart).getImage()).startsWith("ghcr.io/" + owner + "/");
    }

    @Test
    void aLocallyBuiltImageIsOneSetAway() {
        List<HasMetadata> chart = HelmChartTest.render(
                "image.operator.repository=registry.local/workdisk-operator", "image.agent.tag=dev");
        assertThat(operator(chart).getImage()).startsWith("registry.local/workdisk-operator:");
        assertThat(agent(chart).getImage()).endsWith("/workdisk-agent:dev");
    }

    static Container operator(List<HasMetadata> chart) {
        return chart.stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .findFirst()
                .orElseThrow()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    static Container agent(List<HasMetadata> chart) {
        return chart.stream()
                .filter(DaemonSet.class::isInstance)
                .map(DaemonSet.class::cast)
                .findFirst()
                .orElseThrow()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }
}
