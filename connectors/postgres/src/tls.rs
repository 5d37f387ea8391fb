//! TLS for both connections to PostgreSQL, as `database.sslmode` and its companion keys ask.
//!
//! The modes mean what they mean to Debezium (whose JDBC driver follows libpq):
//!
//! | mode | TLS | server certificate checked | host name checked |
//! |---|---|---|---|
//! | `disable` | never | — | — |
//! | `allow`, `prefer` | if the server offers it, else plain | no | no |
//! | `require` | always | no | no |
//! | `verify-ca` | always | against `database.sslrootcert` | no |
//! | `verify-full` | always | against `database.sslrootcert` | yes |
//!
//! `allow` is treated as `prefer` (libpq tries plain first; both end encrypted when the server
//! insists and plain when it cannot, which is what matters to an operator). Without
//! `database.sslrootcert`, the verifying modes trust the system's CA bundle. A client
//! certificate (`database.sslcert` + `database.sslkey`, PEM; a PKCS#8 DER key as pgjdbc uses is
//! accepted for the ordinary connection only) logs in to `cert` entries of `pg_hba.conf`.
//! Encrypted keys (`database.sslpassword`) are refused with the command that decrypts them:
//! reading them would need a second crypto stack for one rarely used option.
//!
//! The ordinary connection uses `tokio-postgres-rustls`; the replication connection uses
//! `pgwire-replication`'s own rustls support. Both use the `ring` provider. One difference
//! remains: `pgwire-replication` 0.5 still compares the host name under `verify-ca` (it does not
//! recognise the error variant current rustls reports a name mismatch with), so with
//! `verify-ca` the host must be one the certificate names; the error then says so.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::error::{Error, Result};

/// The system CA bundle (Debian's `ca-certificates`), trusted when no root certificate is named.
const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// `database.sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain TCP only.
    #[default]
    Disable,
    /// TLS when the server offers it (`allow` and `prefer`), without checking the certificate.
    Prefer,
    /// TLS always, without checking the certificate.
    Require,
    /// TLS always; the certificate must chain to a trusted CA.
    VerifyCa,
    /// TLS always; the certificate must chain to a trusted CA and name the host.
    VerifyFull,
}

impl TlsMode {
    /// Parses a `database.sslmode` value (`None` for anything else).
    pub fn parse(mode: &str) -> Option<TlsMode> {
        Some(match mode {
            "disable" => TlsMode::Disable,
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            _ => return None,
        })
    }

    fn verifies(self) -> bool {
        matches!(self, TlsMode::VerifyCa | TlsMode::VerifyFull)
    }
}

/// The TLS settings of a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Whether and how strictly to use TLS.
    pub mode: TlsMode,
    /// PEM file of the CAs to trust (`database.sslrootcert`).
    pub root_cert: Option<PathBuf>,
    /// PEM client certificate chain (`database.sslcert`).
    pub client_cert: Option<PathBuf>,
    /// Client private key, PEM or PKCS#8 DER (`database.sslkey`).
    pub client_key: Option<PathBuf>,
}

impl TlsOptions {
    /// Checks that the named files can be used, so a mistake is reported when the connector
    /// is validated rather than at the first connection.
    pub fn check(&self) -> std::result::Result<(), TlsProblem> {
        if self.mode == TlsMode::Disable {
            return Ok(());
        }
        match (&self.client_cert, &self.client_key) {
            (Some(_), None) => {
                return Err(problem(
                    "database.sslkey",
                    "database.sslcert is set but database.sslkey is not; a client certificate needs its key".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(problem(
                    "database.sslcert",
                    "database.sslkey is set but database.sslcert is not; a client key needs its certificate".into(),
                ));
            }
            _ => {}
        }
        self.client_config().map(|_| ())
    }

    /// The `tokio-postgres` connector for these options, or `None` when TLS is disabled.
    pub(crate) fn postgres_connector(
        &self,
    ) -> Result<Option<tokio_postgres_rustls::MakeRustlsConnect>> {
        if self.mode == TlsMode::Disable {
            return Ok(None);
        }
        Ok(Some(tokio_postgres_rustls::MakeRustlsConnect::new(
            self.client_config()?,
        )))
    }

    /// The `tokio-postgres` SSL mode (it knows only disable, prefer and require; verification
    /// is the rustls configuration's job).
    pub(crate) fn postgres_ssl_mode(&self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode;
        match self.mode {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
        }
    }

    /// The `pgwire-replication` TLS settings for a connection to `host`.
    pub(crate) fn replication_tls(&self, host: &str) -> Result<pgwire_replication::TlsConfig> {
        use pgwire_replication::SslMode;
        let mode = match self.mode {
            TlsMode::Disable => return Ok(pgwire_replication::TlsConfig::disabled()),
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require => SslMode::Require,
            TlsMode::VerifyCa => SslMode::VerifyCa,
            TlsMode::VerifyFull => SslMode::VerifyFull,
        };
        if let Some(key) = &self.client_key
            && !is_pem(&read(key, "database.sslkey")?)
        {
            return Err(Error::Tls {
                detail: format!(
                    "the replication connection needs database.sslkey in PEM form, and {} is \
                     not PEM; convert it with `openssl pkcs8 -inform DER -outform PEM -nocrypt \
                     -in {0} -out key.pem`",
                    key.display()
                ),
            });
        }
        let root = match &self.root_cert {
            Some(path) => Some(path.clone()),
            None if self.mode.verifies() => Some(PathBuf::from(SYSTEM_CA_BUNDLE)),
            None => None,
        };
        Ok(pgwire_replication::TlsConfig {
            mode,
            ca_pem_path: root,
            // Always the host itself: the crate then checks an address against the
            // certificate's IP names instead of refusing an address outright.
            sni_hostname: Some(host.to_string()),
            client_cert_pem_path: self.client_cert.clone(),
            client_key_pem_path: self.client_key.clone(),
        })
    }

    /// The rustls configuration (the server name to check comes with each connection).
    fn client_config(&self) -> std::result::Result<ClientConfig, TlsProblem> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| {
                problem(
                    "database.sslmode",
                    format!("no TLS protocol version available: {e}"),
                )
            })?;
        let roots = Arc::new(self.root_store()?);
        let verifier: Arc<dyn ServerCertVerifier> = if self.mode.verifies() {
            let full = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|e| {
                    problem(
                        "database.sslrootcert",
                        format!("cannot use the trusted certificates: {e}"),
                    )
                })?;
            if self.mode == TlsMode::VerifyFull {
                full
            } else {
                Arc::new(ChainOnly(full))
            }
        } else {
            Arc::new(AnyCertificate(provider))
        };
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        match (&self.client_cert, &self.client_key) {
            (Some(cert), Some(key)) => builder
                .with_client_auth_cert(read_certs(cert, "database.sslcert")?, read_key(key)?)
                .map_err(|e| {
                    problem(
                        "database.sslkey",
                        format!(
                            "the client certificate {} and key {} do not go together: {e}",
                            cert.display(),
                            key.display()
                        ),
                    )
                }),
            _ => Ok(builder.with_no_client_auth()),
        }
    }

    /// The CAs to trust: `root_cert`, else the system bundle (empty when not verifying).
    fn root_store(&self) -> std::result::Result<RootCertStore, TlsProblem> {
        let mut store = RootCertStore::empty();
        if !self.mode.verifies() {
            return Ok(store);
        }
        let path = self
            .root_cert
            .clone()
            .unwrap_or_else(|| PathBuf::from(SYSTEM_CA_BUNDLE));
        let (added, _ignored) =
            store.add_parsable_certificates(read_certs(&path, "database.sslrootcert")?);
        if added == 0 {
            return Err(problem(
                "database.sslrootcert",
                format!(
                    "{} holds no usable CA certificate; set database.sslrootcert to the PEM file of \
                 the CA that signed the server's certificate",
                    path.display()
                ),
            ));
        }
        Ok(store)
    }
}

/// A TLS setting that cannot be used: the key to change and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsProblem {
    /// The configuration key at fault.
    pub key: &'static str,
    /// What is wrong, in words.
    pub detail: String,
}

impl From<TlsProblem> for Error {
    fn from(p: TlsProblem) -> Error {
        Error::Tls {
            detail: format!("{} ({})", p.detail, p.key),
        }
    }
}

fn problem(key: &'static str, detail: String) -> TlsProblem {
    TlsProblem { key, detail }
}

fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(10).any(|w| w == b"-----BEGIN")
}

fn read(path: &Path, key: &'static str) -> std::result::Result<Vec<u8>, TlsProblem> {
    std::fs::read(path).map_err(|e| {
        problem(
            key,
            format!(
                "cannot read {}: {e}; check the path and that the worker may read it",
                path.display()
            ),
        )
    })
}

fn read_certs(
    path: &Path,
    key: &'static str,
) -> std::result::Result<Vec<CertificateDer<'static>>, TlsProblem> {
    let bytes = read(path, key)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            problem(
                key,
                format!("{} is not a PEM certificate file: {e}", path.display()),
            )
        })?;
    if certs.is_empty() {
        return Err(problem(
            key,
            format!(
                "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                path.display()
            ),
        ));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> std::result::Result<PrivateKeyDer<'static>, TlsProblem> {
    const KEY: &str = "database.sslkey";
    let bytes = read(path, KEY)?;
    if bytes.windows(9).any(|w| w == b"ENCRYPTED") {
        return Err(problem(
            KEY,
            format!(
                "{} is an encrypted private key, which Sluice does not read (database.sslpassword); \
             decrypt it with `openssl pkey -in {0} -out key.pem`",
                path.display()
            ),
        ));
    }
    if is_pem(&bytes) {
        return PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
            problem(
                KEY,
                format!("{} is not a PEM private key: {e}", path.display()),
            )
        });
    }
    // pgjdbc's default key format: unencrypted PKCS#8 DER (`.pk8`).
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(bytes)))
}

/// `verify-ca`: the chain must be valid; the host name is not compared.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`: encryption without authentication of the server, as libpq and
/// pgjdbc do in these modes. The handshake signatures are still checked, so the session key
/// belongs to whoever holds the presented certificate.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_debezium_mode() {
        assert_eq!(TlsMode::parse("disable"), Some(TlsMode::Disable));
        assert_eq!(TlsMode::parse("allow"), Some(TlsMode::Prefer));
        assert_eq!(TlsMode::parse("prefer"), Some(TlsMode::Prefer));
        assert_eq!(TlsMode::parse("require"), Some(TlsMode::Require));
        assert_eq!(TlsMode::parse("verify-ca"), Some(TlsMode::VerifyCa));
        assert_eq!(TlsMode::parse("verify-full"), Some(TlsMode::VerifyFull));
        assert_eq!(TlsMode::parse("VERIFY_FULL"), None);
    }

    #[test]
    fn a_missing_root_certificate_names_the_file() {
        let options = TlsOptions {
            mode: TlsMode::VerifyFull,
            root_cert: Some("/nonexistent/root.crt".into()),
            ..TlsOptions::default()
        };
        let problem = options.check().unwrap_err();
        assert_eq!(problem.key, "database.sslrootcert");
        assert!(
            problem.detail.contains("/nonexistent/root.crt"),
            "{problem:?}"
        );
    }

    #[test]
    fn a_certificate_without_key_is_refused() {
        let options = TlsOptions {
            mode: TlsMode::Require,
            client_cert: Some("/tmp/c.crt".into()),
            ..TlsOptions::default()
        };
        assert_eq!(options.check().unwrap_err().key, "database.sslkey");
    }
}
