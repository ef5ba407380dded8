package io.workdisk.demo;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link RealApiServer} shared by every test class of the run (starting one costs seconds),
 * emptied of whatever earlier tests left each time a test method or class asks for it. It is stopped when
 * the run ends.
 *
 * <p>If it cannot be started, it is tried once per run: every test that asks for it fails with the same
 * one line saying what is missing and how to provide it ({@link ApiServerUnavailable}), at once, and the
 * tear-downs of those tests, which find nothing set up, add nothing to it.
 */
final class SharedApiServer implements ParameterResolver, LifecycleMethodExecutionExceptionHandler {
    /** The server, or why there is none: one attempt per run. */
    private record Startup(RealApiServer api, ApiServerUnavailable failure) implements AutoCloseable {
        static Startup attempt() {
            try {
                return new Startup(
                        RealApiServer.start(Path.of(System.getProperty("java.io.tmpdir"), "real-api-server")), null);
            } catch (RuntimeException e) {
                return new Startup(null, ApiServerUnavailable.because(e));
            }
        }

        @Override
        public void close() {
            if (api != null) {
                api.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RealApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Startup startup = startup(context);
        if (startup.failure() != null) {
            throw startup.failure().again();
        }
        startup.api().reset();
        return startup.api();
    }

    private static Startup startup(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Startup.class, k -> Startup.attempt(), Startup.class);
    }

    /** Whether this run has no API server: then a tear-down's failure is only that nothing was set up. */
    private static boolean unavailable(ExtensionContext context) {
        Startup startup =
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).get(Startup.class, Startup.class);
        return startup != null && startup.failure() != null;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        if (!unavailable(context)) {
            throw throwable;
        }
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        if (!unavailable(context)) {
            throw throwable;
        }
    }

    /**
     * No API server for the tests: one line, the cause and what to provide, without a stack trace (it
     * would only show JUnit's frames). A ParameterResolutionException, so that JUnit reports it as it is
     * rather than wrapped in one that repeats the message.
     */
    static final class ApiServerUnavailable extends ParameterResolutionException {
        private ApiServerUnavailable(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }

        static ApiServerUnavailable because(Throwable failure) {
            Throwable root = failure;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String cause =
                    root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
            return new ApiServerUnavailable("no kube-apiserver for the tests that need one (" + cause.strip()
                    + "). Online, kube-api-test downloads it; offline, export KUBE_API_TEST_DIR=DIR"
                    + " KUBE_API_TEST_OFFLINE_MODE=true KUBE_API_TEST_API_SERVER_VERSION=VERSION, DIR holding"
                    + " k8s/VERSION-linux-amd64/{kube-apiserver,etcd,kubectl} (README, Test)");
        }

        /** The same line for the next test, which asked after the one attempt failed. */
        ApiServerUnavailable again() {
            return new ApiServerUnavailable(getMessage());
        }
    }
}
