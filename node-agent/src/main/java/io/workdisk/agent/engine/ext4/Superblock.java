package io.workdisk.agent.engine.ext4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/** The fields of an ext2/3/4 superblock that this project reads, parsed and sanity-checked. */
public record Superblock(
        long inodesCount,
        long blocksCount,
        long freeBlocksCount,
        long freeInodesCount,
        long firstDataBlock,
        int blockSize,
        int clusterSize,
        long blocksPerGroup,
        long clustersPerGroup,
        long inodesPerGroup,
        int state,
        int inodeSize,
        long featureCompat,
        long featureIncompat,
        long featureRoCompat,
        UUID uuid,
        String label,
        int descriptorSize,
        long firstMetaBlockGroup,
        long lastMountTime,
        long lastCheckTime) {

    public static final int OFFSET = 1024;
    public static final int SIZE = 1024;
    static final int MAGIC = 0xEF53;

    static final long INCOMPAT_COMPRESSION = 0x1;
    static final long INCOMPAT_FILETYPE = 0x2;
    static final long INCOMPAT_RECOVER = 0x4;
    static final long INCOMPAT_JOURNAL_DEV = 0x8;
    static final long INCOMPAT_META_BG = 0x10;
    static final long INCOMPAT_64BIT = 0x80;
    static final long INCOMPAT_DIRDATA = 0x1000;
    static final long INCOMPAT_INLINE_DATA = 0x8000;
    static final long RO_COMPAT_SPARSE_SUPER = 0x1;
    static final long RO_COMPAT_BIGALLOC = 0x200;
    static final long RO_COMPAT_METADATA_CSUM = 0x400;
    static final long COMPAT_HAS_JOURNAL = 0x4;

    private static final int STATE_VALID = 0x1;
    private static final int STATE_ERRORS = 0x2;

    public static Superblock parse(byte[] raw) throws Ext4FormatException {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(56) & 0xFFFF) != MAGIC) {
            throw new Ext4FormatException("not an ext2/3/4 filesystem (no superblock magic)");
        }
        long roCompat = u32(b, 100);
        if ((roCompat & RO_COMPAT_METADATA_CSUM) != 0) {
            // ext4 stores the raw CRC32C state, which is the bitwise complement of the standard CRC32C.
            CRC32C crc = new CRC32C();
            crc.update(raw, 0, 1020);
            long expected = ~crc.getValue() & 0xFFFFFFFFL;
            if (expected != u32(b, 1020)) {
                throw new Ext4FormatException("superblock checksum does not match (corrupt filesystem)");
            }
        }
        int logBlockSize = b.getInt(24);
        if (logBlockSize < 0 || logBlockSize > 6) {
            throw new Ext4FormatException("implausible block size exponent " + logBlockSize);
        }
        int blockSize = 1024 << logBlockSize;
        // bigalloc allocates in clusters of 2^n blocks; a group then spans clusters-per-group clusters. Files
        // still address blocks, so the reader needs the cluster size only to check the group geometry.
        boolean bigalloc = (roCompat & RO_COMPAT_BIGALLOC) != 0;
        int logClusterSize = bigalloc ? b.getInt(28) : logBlockSize;
        if (logClusterSize < logBlockSize || logClusterSize > logBlockSize + 16) {
            throw new Ext4FormatException("implausible bigalloc cluster size exponent " + logClusterSize);
        }
        int clusterSize = 1024 << logClusterSize;
        long incompat = u32(b, 96);
        boolean is64 = (incompat & INCOMPAT_64BIT) != 0;
        long blocks = u32(b, 4) | (is64 ? u32(b, 336) << 32 : 0);
        long freeBlocks = u32(b, 12) | (is64 ? u32(b, 344) << 32 : 0);
        int revLevel = b.getInt(76);
        int inodeSize = revLevel == 0 ? 128 : b.getShort(88) & 0xFFFF;
        int descSize = is64 ? b.getShort(254) & 0xFFFF : 32;
        if (is64 && descSize == 0) {
            descSize = 32;
        }
        Superblock sb = new Superblock(
                u32(b, 0),
                blocks,
                freeBlocks,
                u32(b, 16),
                u32(b, 20),
                blockSize,
                clusterSize,
                u32(b, 32),
                bigalloc ? u32(b, 36) : u32(b, 32),
                u32(b, 40),
                b.getShort(58) & 0xFFFF,
                inodeSize,
                u32(b, 92),
                incompat,
                roCompat,
                uuid(b, 104),
                label(raw),
                descSize,
                u32(b, 260),
                u32(b, 44),
                u32(b, 64));
        sb.check();
        return sb;
    }

    private void check() throws Ext4FormatException {
        if ((featureIncompat & INCOMPAT_JOURNAL_DEV) != 0) {
            throw new UnsupportedFeatureException("journal_dev", "an external journal holds no files");
        }
        if ((featureIncompat & INCOMPAT_COMPRESSION) != 0) {
            throw new UnsupportedFeatureException("compression", "never part of mainline ext4");
        }
        if ((featureIncompat & INCOMPAT_DIRDATA) != 0) {
            throw new UnsupportedFeatureException("dirdata", "Lustre's directory entries");
        }
        if (inodeSize < 128 || inodeSize > blockSize || Integer.bitCount(inodeSize) != 1) {
            throw new Ext4FormatException("implausible inode size " + inodeSize);
        }
        // a group's bitmap is one block, one bit per cluster
        long blocksPerCluster = clusterSize / blockSize;
        if (clustersPerGroup <= 0
                || clustersPerGroup > 8L * blockSize
                || blocksPerGroup != clustersPerGroup * blocksPerCluster
                || inodesPerGroup <= 0
                || inodesPerGroup > 8L * blockSize) {
            throw new Ext4FormatException("implausible block group geometry");
        }
        if (descriptorSize < 32 || descriptorSize > blockSize || Integer.bitCount(descriptorSize) != 1) {
            throw new Ext4FormatException("implausible group descriptor size " + descriptorSize);
        }
        if (blocksCount <= firstDataBlock || inodesCount < 11) {
            throw new Ext4FormatException("implausible block or inode count");
        }
    }

    public long groupCount() {
        return ceilDiv(blocksCount - firstDataBlock, blocksPerGroup);
    }

    public long sizeBytes() {
        return blocksCount * blockSize;
    }

    public long usedBytes() {
        return (blocksCount - freeBlocksCount) * blockSize;
    }

    public boolean hasFileType() {
        return (featureIncompat & INCOMPAT_FILETYPE) != 0;
    }

    public boolean needsRecovery() {
        return (featureIncompat & INCOMPAT_RECOVER) != 0;
    }

    public boolean hasErrors() {
        return (state & STATE_ERRORS) != 0;
    }

    /** Cleanly unmounted, no recorded errors, no journal left to replay. */
    public boolean clean() {
        return (state & STATE_VALID) != 0 && !hasErrors() && !needsRecovery();
    }

    public boolean metaBg() {
        return (featureIncompat & INCOMPAT_META_BG) != 0;
    }

    public boolean sparseSuper() {
        return (featureRoCompat & RO_COMPAT_SPARSE_SUPER) != 0;
    }

    public boolean is64Bit() {
        return (featureIncompat & INCOMPAT_64BIT) != 0;
    }

    public boolean hasJournal() {
        return (featureCompat & COMPAT_HAS_JOURNAL) != 0;
    }

    /** Feature names as dumpe2fs prints them, for the ones this project reports. */
    public List<String> featureNames() {
        List<String> names = new ArrayList<>();
        if (hasJournal()) names.add("has_journal");
        if ((featureIncompat & 0x40) != 0) names.add("extent");
        if (is64Bit()) names.add("64bit");
        if ((featureIncompat & 0x200) != 0) names.add("flex_bg");
        if (metaBg()) names.add("meta_bg");
        if ((featureIncompat & INCOMPAT_INLINE_DATA) != 0) names.add("inline_data");
        if ((featureIncompat & 0x2000) != 0) names.add("metadata_csum_seed");
        if ((featureIncompat & 0x10000) != 0) names.add("encrypt");
        if ((featureIncompat & 0x20000) != 0) names.add("casefold");
        if ((featureRoCompat & RO_COMPAT_METADATA_CSUM) != 0) names.add("metadata_csum");
        if ((featureRoCompat & 0x200) != 0) names.add("bigalloc");
        if (needsRecovery()) names.add("needs_recovery");
        return names;
    }

    static long u32(ByteBuffer b, int off) {
        return b.getInt(off) & 0xFFFFFFFFL;
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static UUID uuid(ByteBuffer b, int off) {
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        return new UUID(be.getLong(off), be.getLong(off + 8));
    }

    private static String label(byte[] raw) {
        int end = 120;
        while (end < 136 && raw[end] != 0) {
            end++;
        }
        return new String(raw, 120, end - 120, StandardCharsets.UTF_8);
    }
}
