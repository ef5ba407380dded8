package io.workdisk.agent.source.image;

import static io.workdisk.agent.testing.Shell.ok;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Certificates made for one test run with openssl: a CA, a server certificate it signs for 127.0.0.1
 * and localhost, and a self-signed key and certificate the test's token server signs JWTs with.
 */
record TestPki(Path caCert, Path serverCert, Path serverKey, Path tokenCert, Path tokenKey) {
    static TestPki create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path caKey = dir.resolve("ca.key");
        Path ca = dir.resolve("ca.pem");
        ok(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                caKey.toString(),
                "-out",
                ca.toString(),
                "-days",
                "2",
                "-subj",
                "/CN=workdisk test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        Path serverKey = dir.resolve("server.key");
        Path csr = dir.resolve("server.csr");
        ok(
                "openssl",
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                serverKey.toString(),
                "-out",
                csr.toString(),
                "-subj",
                "/CN=127.0.0.1");
        Path ext = dir.resolve("server.ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        Path server = dir.resolve("server.pem");
        ok(
                "openssl",
                "x509",
                "-req",
                "-in",
                csr.toString(),
                "-CA",
                ca.toString(),
                "-CAkey",
                caKey.toString(),
                "-CAcreateserial",
                "-out",
                server.toString(),
                "-days",
                "2",
                "-extfile",
                ext.toString());
        Path tokenKey = dir.resolve("token.key");
        Path token = dir.resolve("token.pem");
        ok(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                tokenKey.toString(),
                "-out",
                token.toString(),
                "-days",
                "2",
                "-subj",
                "/CN=workdisk test token signer");
        return new TestPki(ca, server, serverKey, token, tokenKey);
    }

    PrivateKey tokenPrivateKey() throws IOException, GeneralSecurityException {
        String pem = Files.readString(tokenKey, StandardCharsets.US_ASCII);
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    X509Certificate tokenCertificate() throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(tokenCert)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
