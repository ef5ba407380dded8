package io.workdisk.agent.engine.oci;

import io.workdisk.agent.engine.shared.EngineException;

/**
 * Where the documents of an image come from, by digest: a registry ({@code RegistryDocuments}) or an
 * image archive ({@code OciArchive}). {@link IndexWalk} walks either the same way.
 */
public interface BlobSource {
    /**
     * The bytes {@code descriptor} names, read only once its declared size is within
     * {@link IndexWalk#MAX_DOCUMENT_BYTES}, and checked against its digest. A source says the fault
     * its way: bytes a registry sent that do not hash to the digest may be a passing fault of the
     * network ({@code SOURCE_UNAVAILABLE}, tried again); an archive's bytes will not change
     * ({@code CORRUPT_IMAGE}).
     *
     * @param what names the document in errors ("index sha256:...")
     */
    Document fetch(Descriptor descriptor, String what) throws EngineException;

    /** How errors name this source: "image registry.example/app:v1", "image archive '/x.tar'". */
    String name();
}
