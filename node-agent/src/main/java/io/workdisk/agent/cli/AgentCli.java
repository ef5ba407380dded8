package io.workdisk.agent.cli;

import io.workdisk.agent.engine.DiskEngine;
import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.image.ImageSeedRequest;
import io.workdisk.agent.engine.oci.Platform;
import io.workdisk.agent.engine.seed.SeedNames;
import io.workdisk.agent.engine.seed.SeedOwnership;
import io.workdisk.agent.engine.seed.SeedRequest;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.Phases;
import io.workdisk.agent.engine.shared.Problem;
import io.workdisk.agent.engine.shared.Timed;
import io.workdisk.agent.source.ImageSeeds;
import io.workdisk.agent.source.RegistryImageSeeds;
import io.workdisk.api.DataRootLayout;
import io.workdisk.api.task.ImageSource;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code workdisk agent ...}: the disk engine's steps as commands, in the shape scripts rely on. */
@Command(
        name = "workdisk agent",
        mixinStandardHelpOptions = true,
        version = "workdisk-agent 0.1.0",
        description = "Make, grow, inspect and delete ext4 VM work disks and seeds on this node.",
        subcommands = {
            AgentCli.Format.class,
            AgentCli.BuildSeed.class,
            AgentCli.Materialize.class,
            AgentCli.Resize.class,
            AgentCli.Inspect.class,
            AgentCli.Delete.class,
            RunCommand.class
        })
public final class AgentCli implements Runnable {
    private final DiskEngine engine;
    private final Output output;

    AgentCli(DiskEngine engine, PrintStream out, PrintStream err) {
        this.engine = engine;
        this.output = new Output(out, err);
    }

    public static void main(String[] args) {
        System.exit(run(DiskEngine.standard(), System.out, System.err, args));
    }

    public static int run(DiskEngine engine, PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new AgentCli(engine, out, err));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        CliFailures failures = new CliFailures(err);
        cli.setParameterExceptionHandler(failures);
        cli.setExecutionExceptionHandler(failures);
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required");
    }

    /** One subcommand: resolves the data root, runs the step, prints the result or the one-line error. */
    abstract static class Step implements Callable<Integer> {
        @CommandLine.ParentCommand
        AgentCli parent;

        @Mixin
        CommonOptions common;

        abstract String operation();

        /** The path whose directory is the default data root. */
        abstract Path output();

        abstract Timed<?> execute(DiskEngine engine, ConfinedRoot root) throws EngineException;

        @Override
        public Integer call() {
            try {
                Path dir = common.root != null
                        ? common.root
                        : output().toAbsolutePath().normalize().getParent();
                if (common.root == null && !Files.isDirectory(dir)) {
                    // the data root defaults to the output's directory: name that, not a root nobody gave
                    throw new EngineException(
                            Problem.TARGET_DIRECTORY_MISSING,
                            "directory " + ConfinedRoot.quoted(dir) + " does not exist");
                }
                ConfinedRoot root = ConfinedRoot.of(dir);
                parent.output.result(operation(), execute(parent.engine, root), common.json);
                return 0;
            } catch (EngineException e) {
                return parent.output.error(e, common.json);
            }
        }
    }

    @Command(name = "format", description = "Create a blank ext4 disk of the given size.")
    static final class Format extends Step {
        @Option(
                names = "--size",
                required = true,
                paramLabel = "SIZE",
                converter = SizeConverter.class,
                description = "Disk size as a Kubernetes quantity (8Gi, 500M, bytes).")
        long size;

        @Mixin
        NewDiskOptions disk;

        String operation() {
            return "format";
        }

        Path output() {
            return disk.out;
        }

        Timed<?> execute(DiskEngine engine, ConfinedRoot root) throws EngineException {
            return engine.format(
                    root, new DiskEngine.FormatRequest(disk.out, size, disk.preallocate, common.requester, disk.force));
        }
    }

    @Command(
            name = "build-seed",
            description = "Build a seed image from a subtree of a rootfs ext4 image, of a container image in a"
                    + " registry, or of an image archive.")
    static final class BuildSeed extends Step {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        /** Exactly one source: an ext4 rootfs or an image archive. */
        static final class Source {
            @Option(
                    names = "--rootfs",
                    required = true,
                    paramLabel = "IMAGE",
                    description = "The rootfs ext4 image (read, never mounted).")
            Path rootfs;

            @Option(
                    names = "--image",
                    required = true,
                    paramLabel = "REF",
                    description = "A container image in a registry: registry/repository:tag or @sha256:DIGEST.")
            String image;

            @Option(
                    names = "--oci-archive",
                    required = true,
                    paramLabel = "PATH",
                    description = "An OCI image layout tar or a docker save tar (uncompressed; read in place).")
            Path ociArchive;
        }

        @Option(
                names = "--platform",
                paramLabel = "OS/ARCH",
                description = "The image's platform to take from an image or archive (default: this machine's).")
        String platform;

        @Option(
                names = "--registry-config",
                paramLabel = "FILE",
                description = "A docker config.json with registry credentials (--image).")
        Path registryConfig;

        @Option(
                names = "--ca-file",
                paramLabel = "FILE",
                description =
                        "PEM CA certificates to trust besides the JDK's, for registries with a private CA (--image).")
        Path caFile;

        @Option(names = "--plain-http", description = "Talk to the registry over plain HTTP (--image).")
        boolean plainHttp;

        @Option(
                names = "--layer-cache-size",
                paramLabel = "SIZE",
                defaultValue = "20Gi",
                converter = SizeConverter.class,
                description = "Keep at most this much of image layers in ROOT/layers, the agent's cache"
                        + " (--image; default: ${DEFAULT-VALUE}).")
        long layerCacheBytes;

        @Option(
                names = "--subtree",
                defaultValue = "/root",
                paramLabel = "PATH",
                description = "Directory of the rootfs to copy, / for all of it (default: ${DEFAULT-VALUE}).")
        String subtree;

        @Option(
                names = "--ownership",
                defaultValue = "root",
                converter = OwnershipConverter.class,
                paramLabel = "root|preserve",
                description = "root: every entry 0:0, no extended attributes (default); preserve: owners and"
                        + " extended attributes as in the source, as a root filesystem needs.")
        SeedOwnership ownership;

        @Option(names = "--force", description = "Replace OUT if it is a seed workdisk made for the same requester.")
        boolean force;

        @Option(
                names = "--allow-empty",
                description = "Build the seed even if the subtree is missing or holds nothing (otherwise refused).")
        boolean allowEmpty;

        @Parameters(
                paramLabel = "OUT",
                arity = "0..1",
                description = "The seed to create (default: X.ext4 -> X.work-seed.ext4, else X.work-seed).")
        Path out;

        String operation() {
            return "build-seed";
        }

        Path output() {
            if (out != null) {
                return out;
            }
            if (source.image != null) {
                // debian:12 -> ./debian.work-seed.ext4: the repository's last part names the seed
                String repository = source.image.replaceAll("[@:][^/]*$", "");
                return Path.of(repository.substring(repository.lastIndexOf('/') + 1) + ".work-seed.ext4");
            }
            Path from = source.rootfs != null ? source.rootfs : source.ociArchive;
            return SeedNames.defaultSeedPath(from.toAbsolutePath());
        }

        Timed<?> execute(DiskEngine engine, ConfinedRoot root) throws EngineException {
            if (source.rootfs != null && !allowEmpty) {
                EmptySeedGuard.requireSubtree(source.rootfs, subtree);
            }
            Timed<?> built = build(engine, root);
            if (!allowEmpty) {
                EmptySeedGuard.requireEntries(engine, root, built, common.requester);
            }
            return built;
        }

        private Timed<?> build(DiskEngine engine, ConfinedRoot root) throws EngineException {
            SeedOwnership rule = ownership;
            if (source.image != null) {
                long start = System.nanoTime();
                RegistryImageSeeds.PulledSeedReport report = RegistryImageSeeds.open(
                                engine,
                                root.path().resolve(DataRootLayout.LAYERS),
                                layerCacheBytes,
                                new ImageSeeds.RegistryAccess(registryConfig, caFile),
                                Clock.systemUTC())
                        .buildFromRegistry(
                                root,
                                new ImageSource(source.image, platform, plainHttp ? Boolean.TRUE : null),
                                subtree,
                                rule,
                                output(),
                                common.requester,
                                force,
                                ImageSeeds.Progress.NONE);
                return new Timed<>((System.nanoTime() - start) / 1e9, report);
            }
            if (source.rootfs != null) {
                if (platform != null) {
                    throw new EngineException(
                            Problem.INVALID_TASK, "--platform applies to --image and --oci-archive only");
                }
                return engine.buildSeed(
                        root, new SeedRequest(source.rootfs, subtree, rule, output(), common.requester, force));
            }
            Phases phases = new Phases(System::nanoTime);
            ImageSeedRequest fromArchive = ImageSeedRequest.fromArchive(
                    source.ociArchive,
                    platform == null ? Platform.host() : Platform.parse(platform),
                    subtree,
                    rule,
                    output(),
                    common.requester,
                    force,
                    phases);
            return engine.buildImageSeed(root, fromArchive, phases, entries -> {});
        }
    }

    @Command(name = "materialize", description = "Create a disk of the given size holding exactly a seed's tree.")
    static final class Materialize extends Step {
        @Option(names = "--seed", required = true, paramLabel = "SEED", description = "A seed made by build-seed.")
        Path seed;

        @Option(
                names = "--size",
                required = true,
                paramLabel = "SIZE",
                converter = SizeConverter.class,
                description = "Disk size as a Kubernetes quantity; at least the seed's size.")
        long size;

        @Mixin
        NewDiskOptions disk;

        String operation() {
            return "materialize";
        }

        Path output() {
            return disk.out;
        }

        Timed<?> execute(DiskEngine engine, ConfinedRoot root) throws EngineException {
            return engine.materialize(
                    root,
                    new DiskEngine.MaterializeRequest(
                            seed, disk.out, size, disk.preallocate, common.requester, disk.force));
        }
    }

    @Command(name = "resize", description = "Grow a disk offline (shrinking is refused).")
    static final class Resize extends Step {
        @Option(
                names = "--size",
                required = true,
                paramLabel = "SIZE",
                converter = SizeConverter.class,
                description = "New size as a Kubernetes quantity; not below the current size.")
        long size;

        @Parameters(paramLabel = "DISK", description = "The disk image to grow (not attached to a running VM).")
        Path disk;

        String operation() {
            return "resize";
        }

        Path output() {
            return disk;
        }

        Timed<?> execute(DiskEngine engine, ConfinedRoot root) throws EngineException {
            return engine.resize(root, disk, size, common.requester);
        }
    }

    @Command(name = "inspect", description = "Print a disk's facts: size, UUID, label, usage, inodes, clean or not.")
    static final class Inspect extends Step {
        @Parameters(paramLabel = "DISK", description = "The disk image to read.")
        Path disk;

        String operation() {
            return "inspect";
        }

        Path output() {
            return disk;
        }

        Timed<?> execute(DiskEngine engine, ConfinedRoot root) throws EngineException {
            return engine.inspect(disk);
        }
    }

    @Command(name = "delete", description = "Remove a disk or seed workdisk made for the same requester.")
    static final class Delete extends Step {
        @Parameters(paramLabel = "DISK", description = "The disk image to remove.")
        Path disk;

        String operation() {
            return "delete";
        }

        Path output() {
            return disk;
        }

        Timed<?> execute(DiskEngine engine, ConfinedRoot root) throws EngineException {
            return engine.delete(root, disk, common.requester);
        }
    }
}
