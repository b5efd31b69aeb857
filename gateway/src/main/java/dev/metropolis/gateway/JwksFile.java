package dev.metropolis.gateway;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.List;

/** Keys from a JWKS file, read again whenever the file changes (a key rotated by rewriting the file). */
final class JwksFile implements JWKSource<SecurityContext> {
    private record Loaded(FileTime modified, long size, JWKSet keys) {}

    private final Path path;
    private volatile Loaded loaded;

    JwksFile(Path path) {
        this.path = path;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        return selector.select(current());
    }

    private JWKSet current() throws KeySourceException {
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            long size = Files.size(path);
            Loaded known = loaded;
            if (known == null || !known.modified().equals(modified) || known.size() != size) {
                known = new Loaded(modified, size, JWKSet.load(path.toFile()));
                loaded = known;
            }
            return known.keys();
        } catch (IOException | ParseException e) {
            throw new KeySourceException("the JWKS file " + path + " cannot be read: " + e.getMessage(), e);
        }
    }
}
