package io.workdisk.demo;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link RealApiServer} shared by every test class of the run (starting one costs seconds),
 * emptied of whatever earlier tests left each time a test method or class asks for it. It is stopped when
 * the run ends.
 */
final class SharedApiServer implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RealApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        RealApiServer api = context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(
                        RealApiServer.class,
                        k -> RealApiServer.start(Path.of(System.getProperty("java.io.tmpdir"), "real-api-server")),
                        RealApiServer.class);
        api.reset();
        return api;
    }
}
