package io.workdisk.agent.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How far this node's clock is from the API server's. Heartbeats carry the node's time and the operator
 * judges them by its own, so a node whose clock is off would look dead, or alive after it died. The
 * server's time comes from the {@code Date} header every API server response carries (one-second
 * resolution), read on a cheap {@code /version} request.
 */
public final class ServerClock {
    private final KubernetesClient client;
    private final Clock clock;

    public ServerClock(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Positive: this node is ahead of the server. Empty when the server cannot be asked or gives no date. */
    public Optional<Duration> skew() {
        try {
            HttpClient http = client.getHttpClient();
            URL url = new URL(client.getMasterUrl(), "version");
            Instant sent = clock.instant();
            HttpResponse<String> response = http.sendAsync(
                            http.newHttpRequestBuilder()
                                    .url(url)
                                    .timeout(10, TimeUnit.SECONDS)
                                    .build(),
                            String.class)
                    .get(15, TimeUnit.SECONDS);
            Instant received = clock.instant();
            String date = response.header("Date");
            if (date == null) {
                return Optional.empty();
            }
            // the header is truncated to the second: its middle is the best guess of the server's time
            Instant server = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .plusMillis(500);
            Instant here = sent.plus(Duration.between(sent, received).dividedBy(2));
            return Optional.of(Duration.between(server, here));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
