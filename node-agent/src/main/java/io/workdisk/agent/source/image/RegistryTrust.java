package io.workdisk.agent.source.image;

import io.workdisk.agent.engine.files.ConfinedRoot;
import io.workdisk.agent.engine.shared.EngineException;
import io.workdisk.agent.engine.shared.ErrorText;
import io.workdisk.agent.engine.shared.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The TLS trust for registries: the JDK's CAs, plus those of a PEM bundle for private registries. */
final class RegistryTrust {
    private RegistryTrust() {}

    /** The JDK's own context when {@code caFile} is null, else one trusting its CAs as well. */
    static SSLContext context(Path caFile) throws EngineException {
        try {
            if (caFile == null) {
                return SSLContext.getDefault();
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate jdk : defaultTrust().getAcceptedIssuers()) {
                store.setCertificateEntry("jdk-" + n++, jdk);
            }
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(caFile)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            } catch (IOException e) {
                throw new EngineException(
                        Problem.SOURCE_INVALID,
                        "cannot read the CA file " + ConfinedRoot.quoted(caFile) + ": " + ErrorText.of(e),
                        e);
            }
            if (extra.isEmpty()) {
                throw new EngineException(
                        Problem.SOURCE_INVALID, "CA file " + ConfinedRoot.quoted(caFile) + " holds no PEM certificate");
            }
            for (Certificate c : extra) {
                store.setCertificateEntry("ca-file-" + n++, c);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (CertificateException e) {
            throw new EngineException(
                    Problem.SOURCE_INVALID,
                    "CA file " + ConfinedRoot.quoted(caFile) + " is not a PEM certificate bundle: " + ErrorText.of(e),
                    e);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK's TLS setup failed: " + e, e);
        }
    }

    private static X509TrustManager defaultTrust() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("the JDK has no X.509 trust manager");
    }
}
