package io.inflight.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a server certificate it signed, made with the {@code openssl}
 * command, for servers that speak TLS in tests. The server certificate names {@code localhost} and
 * {@code 127.0.0.1} (SAN), so {@code sslmode=verify-full} to {@link PostgresServer#host()} succeeds.
 *
 * @param caCert     the authority's certificate: a client's {@code sslrootcert}
 * @param serverCert the server's certificate ({@code ssl_cert_file})
 * @param serverKey  the server's private key ({@code ssl_key_file}), unencrypted
 */
public record TlsFiles(Path caCert, Path serverCert, Path serverKey) {

    /** Generates a fresh authority and server certificate into {@code dir}. */
    public static TlsFiles generate(Path dir, String commonName) {
        try {
            Files.createDirectories(dir);
            Path caKey = dir.resolve("ca.key");
            Path caCert = dir.resolve("ca.crt");
            Path key = dir.resolve("server.key");
            Path csr = dir.resolve("server.csr");
            Path cert = dir.resolve("server.crt");
            Path ext = dir.resolve("server.ext");
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=" + commonName + " test CA", "-keyout", caKey.toString(), "-out", caCert.toString());
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-keyout", key.toString(), "-out", csr.toString());
            Files.writeString(ext, "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
                    + "basicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\n"
                    + "extendedKeyUsage = serverAuth\n");
            openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                    "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
            return new TlsFiles(caCert, cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate test certificates in " + dir, e);
        }
    }

    /**
     * A client certificate for {@code user} (its common name, which {@code cert} authentication in
     * {@code pg_hba.conf} matches against the login role) signed by this authority.
     *
     * @return the certificate (PEM, a client's {@code sslcert}) and its key as PKCS-8 DER, the form the JDBC
     *     driver reads as {@code sslkey}
     */
    public ClientCertificate clientCertificate(String user) {
        Path dir = caCert.getParent();
        try {
            Path key = dir.resolve(user + ".key");
            Path csr = dir.resolve(user + ".csr");
            Path cert = dir.resolve(user + ".crt");
            Path pk8 = dir.resolve(user + ".pk8");
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + user, "-keyout", key.toString(),
                    "-out", csr.toString());
            openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey",
                    dir.resolve("ca.key").toString(), "-CAcreateserial", "-days", "2", "-out", cert.toString());
            openssl(dir, "pkcs8", "-topk8", "-inform", "PEM", "-outform", "DER", "-nocrypt", "-in", key.toString(),
                    "-out", pk8.toString());
            return new ClientCertificate(cert, pk8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate a client certificate in " + dir, e);
        }
    }

    /** A client's certificate and private key (PKCS-8 DER, unencrypted). */
    public record ClientCertificate(Path cert, Path key) {
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running openssl", e);
        }
    }
}
