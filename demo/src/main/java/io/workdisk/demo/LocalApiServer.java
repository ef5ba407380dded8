package io.workdisk.demo;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-process Kubernetes API on localhost: the Fabric8 mock server in CRUD mode, given workdisk's
 * CRDs. It stores and watches objects like an API server, but enforces no schema, CEL rules, server-side
 * apply, field selectors beyond name/namespace, or garbage collection.
 */
public final class LocalApiServer implements ClusterApi, AutoCloseable {

    /** Held so the setting sticks: java.util.logging keeps loggers only weakly. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer server;

    private LocalApiServer(KubernetesMockServer server) {
        this.server = server;
    }

    public static LocalApiServer start() {
        return start(UnaryOperator.identity());
    }

    /** With {@code around} between the network and the stored objects (tests put faults there). */
    public static LocalApiServer start(UnaryOperator<Dispatcher> around) {
        MOCK_LOG.setLevel(Level.WARNING); // it logs every request at INFO
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(),
                new MockWebServer(),
                expectations,
                new Dated(around.apply(new KubernetesMixedDispatcher(expectations))),
                false);
        server.init();
        // JOSDK asks, before electing a leader, whether it may use Leases; the mock server cannot answer
        // access reviews, so it is told to say yes, as a cluster with the chart's RBAC would.
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewStatus()
                                .addNewResourceRule()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("create", "update", "get")
                                .endResourceRule()
                                .withIncomplete(false)
                                .endStatus()
                                .build())
                .always();
        LocalApiServer api = new LocalApiServer(server);
        try (KubernetesClient admin = api.newClient()) {
            for (CustomResourceDefinition crd : Crds.all()) {
                admin.resource(crd).create();
            }
        }
        return api;
    }

    /** Every response carries the server's time, as a real API server's do (agents check their clocks by it). */
    private static final class Dated extends Dispatcher {
        private final Dispatcher inner;

        Dated(Dispatcher inner) {
            this.inner = inner;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            MockResponse response = inner.dispatch(request);
            if (response.header("Date") == null) {
                response.setHeader(
                        "Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
            }
            return response;
        }

        @Override
        public void shutdown() {
            inner.shutdown();
        }
    }

    /** A client of its own, as a separate process would have. */
    public KubernetesClient newClient() {
        return newClient("user");
    }

    @Override
    public KubernetesClient newClient(String component) {
        return server.createClient(
                b -> b.editOrNewConfig().withUserAgent("workdisk-" + component).endConfig());
    }

    /** Every request the server received since the last call, oldest first. */
    public List<RecordedRequest> drainRequests() throws InterruptedException {
        List<RecordedRequest> out = new ArrayList<>();
        for (RecordedRequest r; (r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null; ) {
            out.add(r);
        }
        return out;
    }

    @Override
    public String url() {
        return server.url("/");
    }

    @Override
    public void close() {
        server.destroy();
    }
}
