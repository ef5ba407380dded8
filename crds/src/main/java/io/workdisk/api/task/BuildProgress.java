package io.workdisk.api.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.workdisk.api.ByteQuantity;

/** How far a seed build from an image has come, as its agent last reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildProgress(
        @JsonPropertyDescription("Bytes of the image's layers fetched so far (from the registry or the layer cache).")
        Long bytesFetched,

        @JsonPropertyDescription("Bytes of all the image's layers, as its manifest declares them.")
        Long bytesTotal,

        @JsonPropertyDescription("Entries (files, directories, links) written into the seed's tree so far.")
        Long entriesWritten) {

    public static BuildProgress of(long bytesFetched, long bytesTotal, long entriesWritten) {
        return new BuildProgress(bytesFetched, bytesTotal, entriesWritten);
    }

    /** One short line for columns: {@code 120Mi/260Mi, 3052 entries}. */
    public String describe() {
        String bytes = ByteQuantity.readable(bytesFetched) + "/" + ByteQuantity.readable(bytesTotal);
        return entriesWritten == null ? bytes : bytes + ", " + entriesWritten + " entries";
    }
}
