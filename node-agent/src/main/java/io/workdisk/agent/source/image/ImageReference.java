package io.workdisk.agent.source.image;

import static io.workdisk.api.task.ImageReference.split;

import io.workdisk.agent.engine.oci.Digest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.util.regex.Pattern;

/**
 * An image reference, {@code [registry/]repository[:tag][@sha256:<hex>]}, cut into parts as the API module's
 * {@code split} cuts it, each part then read the way docker reads it:
 * a first component with a dot, a colon or {@code localhost} names the registry, otherwise it is Docker
 * Hub ({@code docker.io}, whose API lives at {@code registry-1.docker.io}, and whose one-part names are
 * under {@code library/}). No tag and no digest means {@code latest}; a digest wins over a tag.
 *
 * @param registry the registry as named ({@code docker.io}, {@code ghcr.io}, {@code 127.0.0.1:5000})
 * @param repository the repository path ({@code library/debian})
 * @param tag the tag, or null when only a digest was given
 * @param digest the manifest digest, or null when the reference is a tag still to be resolved
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";
    static final String DOCKER_HUB_API = "registry-1.docker.io";
    private static final String DEFAULT_TAG = "latest";
    private static final int MAX_LENGTH = 255 + 1 + 128 + 72; // the name limit, a tag, a digest
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\]");

    public static ImageReference parse(String text) throws EngineException {
        if (text == null || text.isBlank()) {
            throw invalid(text, "it is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw invalid(text, "it is longer than " + MAX_LENGTH + " characters");
        }
        var written = split(text);
        Digest digest = written.digest() == null
                ? null
                : Digest.parse(written.digest(), "image reference '" + Printable.printable(text) + "'");
        if (digest != null && !digest.algorithm().equals(Digest.SHA256)) {
            // the API takes sha256 references only (io.workdisk.api.task.ImageReference), and so does the CLI
            throw invalid(text, "only sha256:<hex> digests are verified in a reference, as the API takes them");
        }
        String tag = written.tag();
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw invalid(text, "the tag '" + Printable.printable(tag) + "' is not a valid tag");
        }
        String rest = written.name();
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = hostPort(text, first);
                rest = rest.substring(slash + 1);
            }
        }
        if (rest.isEmpty()) {
            throw invalid(text, "it names no repository");
        }
        for (String component : rest.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(
                        text,
                        "the repository component '" + Printable.printable(component)
                                + "' is not lower-case letters and digits with . _ - separators");
            }
        }
        if (registry.equals("index.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** The host (and port) to send API requests to. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API : registry;
    }

    /** What to ask the manifests endpoint for: the digest if known, else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    /** The same image pinned to {@code resolved}, as every node builds it after the tag was resolved once. */
    public ImageReference withDigest(Digest resolved) {
        return new ImageReference(registry, repository, tag, resolved);
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    private static String hostPort(String text, String hostPort) throws EngineException {
        String host = hostPort;
        int colon = hostPort.lastIndexOf(':');
        if (colon >= 0 && !hostPort.endsWith("]")) {
            String port = hostPort.substring(colon + 1);
            host = hostPort.substring(0, colon);
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535 || Integer.parseInt(port) == 0) {
                throw invalid(text, "the registry port '" + Printable.printable(port) + "' is not a port");
            }
        }
        if (!HOST.matcher(host).matches()) {
            throw invalid(text, "the registry '" + Printable.printable(host) + "' is not a host name");
        }
        return hostPort;
    }

    private static EngineException invalid(String text, String why) {
        return new EngineException(
                Problem.SOURCE_INVALID, "image reference '" + Printable.printable(text) + "' is not valid: " + why);
    }
}
