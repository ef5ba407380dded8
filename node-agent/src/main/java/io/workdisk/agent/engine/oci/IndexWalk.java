package io.workdisk.agent.engine.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Printable;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * From the top document of an image (a registry's answer for a reference, an archive's
 * {@code index.json}) down through indexes to the one image manifest for a platform: the one walk the
 * registry pull and the archive reader share, over whichever {@link BlobSource} holds the documents.
 *
 * <p>Every fault of the walk is {@link Problem#SOURCE_INVALID} (the image is not one the agent builds
 * from for this platform; the same request fails the same way), with one line naming the image, except
 * bytes that do not match their digest, which the source reports its way.
 */
public final class IndexWalk {
    /**
     * How many indexes deep an image may nest: an index may name an index (rare, but allowed: a
     * multi-platform image saved into an archive's index.json); one more level is refused as hostile.
     * In an archive, index.json counts as the first.
     */
    public static final int MAX_INDEX_DEPTH = 2;
    /** Manifests and indexes are a few KiB; this bounds what is read into memory for one. */
    public static final int MAX_DOCUMENT_BYTES = 4 << 20;

    private final ObjectMapper json = new ObjectMapper();
    private final BlobSource source;
    private final Platform wanted;

    private IndexWalk(BlobSource source, Platform wanted) {
        this.source = source;
        this.wanted = wanted;
    }

    /**
     * The manifest chosen below {@code top}.
     *
     * @param digest the manifest's digest
     * @param platform the platform the index names for it (or its config says, where the index names
     *     none); null when {@code top} is the manifest itself, whose config then says what it is for
     */
    public record Found(Digest digest, Platform platform, ImageManifest manifest) {}

    /** An index entry for the wanted platform. */
    private record Candidate(Descriptor descriptor, Platform platform) {
        /**
         * Whether the entry names the variant asked for, or none where none was asked: a better match
         * than one taken because any variant does.
         */
        boolean exact(Platform wanted) {
            return wanted.variant() != null || platform.variant() == null;
        }
    }

    /** Walks from {@code top} to the manifest for {@code wanted}, reading what it must from {@code source}. */
    public static Found walk(BlobSource source, Document top, Platform wanted) throws EngineException {
        return new IndexWalk(source, wanted).from(top);
    }

    private Found from(Document top) throws EngineException {
        JsonNode doc = parse(top);
        String type = mediaType(top, doc);
        if (MediaTypes.isManifest(type)) {
            return new Found(top.digest(), null, ImageManifest.read(doc, top.what()));
        }
        Set<Digest> seen = new HashSet<>();
        if (top.digest() != null) {
            seen.add(top.digest());
        }
        Map<Digest, Candidate> candidates = new LinkedHashMap<>();
        Set<String> offered = new LinkedHashSet<>();
        collect(doc, top.what(), 1, seen, candidates, offered);
        Candidate chosen = choose(candidates, offered);
        Document manifest =
                fetch(chosen.descriptor(), "manifest " + chosen.descriptor().digest());
        JsonNode manifestDoc = parse(manifest);
        String manifestType = mediaType(manifest, manifestDoc);
        if (!MediaTypes.isManifest(manifestType)) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    manifest.what() + " of " + source.name() + " has media type '" + Printable.printable(manifestType)
                            + "', not an image manifest");
        }
        return new Found(
                chosen.descriptor().digest(),
                chosen.platform(),
                ImageManifest.read(manifestDoc, manifest.what() + " of " + source.name()));
    }

    /** Adds the entries of {@code index} (the {@code depth}-th index down) that are for the wanted platform. */
    private void collect(
            JsonNode index,
            String what,
            int depth,
            Set<Digest> seen,
            Map<Digest, Candidate> candidates,
            Set<String> offered)
            throws EngineException {
        if (depth > MAX_INDEX_DEPTH) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    source.name() + " nests indexes more than " + MAX_INDEX_DEPTH
                            + " deep; refused (an image index names image manifests)");
        }
        JsonNode manifests = index.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            throw new EngineException(Problem.SOURCE_INVALID, what + " is an index without a manifests list");
        }
        for (int i = 0; i < manifests.size(); i++) {
            Descriptor d = Descriptor.read(manifests.get(i), "entry " + i + " of " + what);
            if (d.platform() != null && d.platform().os().equals("unknown")) {
                continue; // attestations and other non-images are listed as unknown/unknown
            }
            if (MediaTypes.isIndex(d.mediaType())) {
                if (d.platform() != null && !wanted.accepts(d.platform())) {
                    offered.add(d.platform().toString());
                    continue;
                }
                if (!seen.add(d.digest())) {
                    throw new EngineException(
                            Problem.SOURCE_INVALID,
                            source.name() + " has an index that refers back to " + d.digest() + "; refused");
                }
                Document nested = fetch(d, "index " + d.digest());
                JsonNode nestedDoc = parse(nested);
                if (!MediaTypes.isIndex(mediaType(nested, nestedDoc))) {
                    throw new EngineException(
                            Problem.SOURCE_INVALID,
                            nested.what() + " of " + source.name() + " is named as an index but is not one");
                }
                collect(nestedDoc, nested.what(), depth + 1, seen, candidates, offered);
            } else if (MediaTypes.isManifest(d.mediaType())) {
                Platform platform = d.platform() != null ? d.platform() : platformOfConfig(d);
                offered.add(platform.toString());
                if (wanted.accepts(platform)) {
                    candidates.putIfAbsent(d.digest(), new Candidate(d, platform)); // one manifest, two tags
                }
            }
            // anything else (artifacts, signatures) is not an image
        }
    }

    /**
     * The one rule when several manifests are for the platform: one that names the variant asked for
     * beats those taken because any variant does (the registry walker's rule); two different manifests
     * that match equally well are refused, naming them, rather than one picked by the order of the index
     * (the archive walker's rule, the more careful one: which image a seed holds must not depend on how
     * a tool happened to order an index).
     */
    private Candidate choose(Map<Digest, Candidate> candidates, Set<String> offered) throws EngineException {
        if (candidates.isEmpty()) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    source.name() + " has no manifest for " + wanted + "; it has "
                            + (offered.isEmpty() ? "none with a platform" : String.join(", ", offered)));
        }
        List<Candidate> exact = new ArrayList<>();
        for (Candidate c : candidates.values()) {
            if (c.exact(wanted)) {
                exact.add(c);
            }
        }
        List<Candidate> best = exact.isEmpty() ? List.copyOf(candidates.values()) : exact;
        if (best.size() > 1) {
            List<String> named = new ArrayList<>();
            best.forEach(c -> named.add(c.platform() + " " + c.descriptor().digest()));
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    source.name() + " has " + best.size() + " manifests for " + wanted + " (" + String.join(", ", named)
                            + "); it must name one: name the variant, or the image by its digest");
        }
        return best.get(0);
    }

    /** An index entry that names no platform is for what its manifest's config says (as in many archives). */
    private Platform platformOfConfig(Descriptor entry) throws EngineException {
        Document manifest = fetch(entry, "manifest " + entry.digest());
        ImageManifest m = ImageManifest.read(parse(manifest), manifest.what() + " of " + source.name());
        Document config = fetch(m.config(), "config " + m.config().digest());
        JsonNode doc = parse(config);
        String variant = doc.path("variant").asText("");
        return new Platform(
                doc.path("os").asText(""), doc.path("architecture").asText(""), variant.isEmpty() ? null : variant);
    }

    private Document fetch(Descriptor d, String what) throws EngineException {
        long limit = MediaTypes.isConfig(d.mediaType()) ? ImageManifest.MAX_CONFIG_BYTES : MAX_DOCUMENT_BYTES;
        if (d.size() > limit) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    source.name() + " names " + what + " of " + d.size() + " bytes, more than the " + (limit >> 20)
                            + " MiB it may be; refused");
        }
        Document got = source.fetch(d, what);
        if (got.bytes().length != d.size()) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    what + " of " + source.name() + " is " + got.bytes().length + " bytes, not the " + d.size()
                            + " its descriptor says; refused");
        }
        return got;
    }

    private JsonNode parse(Document d) throws EngineException {
        try {
            JsonNode doc = json.readTree(d.bytes());
            if (doc == null || !doc.isObject()) {
                throw new EngineException(Problem.SOURCE_INVALID, d.what() + " is not a JSON object");
            }
            return doc;
        } catch (IOException e) {
            throw new EngineException(Problem.SOURCE_INVALID, d.what() + " is not JSON: " + ErrorText.of(e), e);
        }
    }

    /**
     * What a document is: its JSON {@code mediaType}, else the type its source gave, else its shape (OCI
     * allows leaving the field out). A body and a type beside it that disagree are refused.
     */
    static String mediaType(Document d, JsonNode doc) throws EngineException {
        String declared = doc.path("mediaType").asText("");
        String beside = d.contentType();
        boolean besideKnown = MediaTypes.isIndex(beside) || MediaTypes.isManifest(beside);
        if (!declared.isEmpty() && besideKnown && !declared.equals(beside)) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    d.what() + " says it is " + Printable.printable(declared) + " but was sent as " + beside);
        }
        String type = !declared.isEmpty() ? declared : besideKnown ? beside : shape(doc);
        if (!MediaTypes.isIndex(type) && !MediaTypes.isManifest(type)) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    d.what() + " has media type '" + Printable.printable(type) + "', which the agent does not read"
                            + " (OCI index or manifest, Docker manifest list or schema 2; not Docker schema 1)");
        }
        return type;
    }

    private static String shape(JsonNode doc) {
        if (doc.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (doc.has("layers") && doc.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        return "";
    }
}
