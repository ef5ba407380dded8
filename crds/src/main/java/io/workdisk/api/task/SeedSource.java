package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where a seed's rootfs comes from: exactly one of the four. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "[has(self.hostPath), has(self.http), has(self.image), has(self.ociArchive)].filter(s, s).size() == 1",
        message = SeedSource.EXACTLY_ONE)
public record SeedSource(
        @JsonPropertyDescription("A rootfs image already present on the nodes.")
        HostPathSource hostPath,

        @JsonPropertyDescription("A rootfs image downloaded by each node and verified by SHA-256.")
        HttpSource http,

        @JsonPropertyDescription("A container image pulled from an OCI registry by each node; its layers applied "
                + "in order make the filesystem the seed is taken from.")
        ImageSource image,

        @JsonPropertyDescription(
                "A container image archive (OCI image layout or docker save tar) already " + "present on the nodes.")
        OciArchiveSource ociArchive) {

    public static final String EXACTLY_ONE = "exactly one of hostPath, http, image or ociArchive must be set";

    public static SeedSource hostPath(String path) {
        return new SeedSource(new HostPathSource(path), null, null, null);
    }

    public static SeedSource http(String url, String sha256) {
        return new SeedSource(null, new HttpSource(url, sha256), null, null);
    }

    public static SeedSource image(ImageSource image) {
        return new SeedSource(null, null, image, null);
    }

    public static SeedSource ociArchive(String path) {
        return new SeedSource(null, null, null, new OciArchiveSource(path));
    }

    /** How many sources are set: exactly one is valid. */
    public int count() {
        int n = 0;
        for (Object s : new Object[] {hostPath, http, image, ociArchive}) {
            n += s == null ? 0 : 1;
        }
        return n;
    }

    /** Whether the seed is built from a container image (a registry's or an archive's) rather than an ext4 rootfs. */
    public boolean fromImage() {
        return image != null || ociArchive != null;
    }

    /** One line for columns and messages. */
    public String describe() {
        if (hostPath != null) {
            return "hostPath:" + hostPath.path();
        }
        if (http != null) {
            return "http:" + http.url();
        }
        if (image != null) {
            return "image:" + image.reference();
        }
        return ociArchive != null ? "ociArchive:" + ociArchive.path() : "none";
    }
}
