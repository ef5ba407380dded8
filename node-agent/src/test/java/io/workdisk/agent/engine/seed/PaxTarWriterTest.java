package io.workdisk.agent.engine.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.workdisk.agent.engine.ext4.Inode;
import io.workdisk.agent.testing.Shell;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar as another reader, GNU tar, sees it: what ustar cannot hold must come through the PAX records. */
class PaxTarWriterTest {
    private static final Inode.Timestamp T = new Inode.Timestamp(1_234_567_890L, 123_456_789L);

    @TempDir
    Path tmp;

    @Test
    void gnuTarReadsLongNamesBigSizesModesLinksAndDataAsWritten() throws Exception {
        Path file = tmp.resolve("t.tar");
        String longName = "dir/" + "n".repeat(150);
        long big = (8L << 30) + 4096; // past ustar's 11 octal digits
        try (PaxTarWriter tar = PaxTarWriter.streaming(new SparseFile(file))) {
            tar.header(bytes("."), '5', 0700, 0, 0, 0, T, T, null, List.of());
            tar.header(bytes("dir"), '5', 01777, 0, 0, 0, T, T, null, List.of());
            tar.header(bytes(longName), '0', 04755, 1000, 3_000_000, 6, T, T, null, List.of());
            tar.data(ByteBuffer.wrap(bytes("hello\n")));
            tar.endData(6);
            tar.header(bytes("big.img"), '0', 0644, 0, 0, big, T, T, null, List.of());
            tar.zeros(big - 4);
            tar.data(ByteBuffer.wrap(bytes("end!")));
            tar.endData(big);
            tar.header(bytes("hard"), '1', 04755, 1000, 3_000_000, 0, T, T, bytes(longName), List.of());
            tar.header(bytes("sym"), '2', 0777, 0, 0, 0, T, T, bytes("/" + "t".repeat(120)), List.of());
            tar.finish();
        }

        String listing = Shell.ok("tar", "--numeric-owner", "--full-time", "-tvf", file.toString())
                .replaceAll(" +", " ");
        assertThat(listing)
                .contains("drwx------ 0/0 0 2009-02-13 23:31:30.123456789 .\n")
                .contains("drwxrwxrwt 0/0 0 2009-02-13 23:31:30.123456789 dir\n")
                .contains("-rwsr-xr-x 1000/3000000 6 2009-02-13 23:31:30.123456789 " + longName + "\n")
                .contains(big + " 2009-02-13 23:31:30.123456789 big.img\n")
                .contains("hard link to " + longName)
                .contains("sym -> /" + "t".repeat(120));
        assertThat(Shell.ok("tar", "-xOf", file.toString(), longName)).isEqualTo("hello\n");
    }

    /**
     * A file the tar streams into whose runs of zeros become holes (the 8 GiB entry takes no space), as a
     * reader cannot tell a hole from written zeros.
     */
    private static final class SparseFile implements WritableByteChannel {
        private final FileChannel file;

        SparseFile(Path path) throws IOException {
            file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            boolean zeros = true;
            for (int i = src.position(); i < src.limit() && zeros; i++) {
                zeros = src.get(i) == 0;
            }
            if (zeros) {
                src.position(src.limit());
                file.position(file.position() + n);
                return n;
            }
            return file.write(src);
        }

        @Override
        public boolean isOpen() {
            return file.isOpen();
        }

        @Override
        public void close() throws IOException {
            if (file.size() < file.position()) {
                file.write(ByteBuffer.wrap(new byte[1]), file.position() - 1); // a trailing hole has a length too
            }
            file.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
