//! A throw-away certificate authority for a test cluster: a CA, and broker and client
//! certificates it signs, written as PEM the way Kafka reads them (`ssl.keystore.type=PEM`).
//!
//! Keys are ECDSA P-256 (rcgen's default), unencrypted PKCS#8, which Kafka's `PemStore` and
//! rustls both accept.

use std::path::{Path, PathBuf};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertifiedIssuer, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};

use crate::HarnessError;

/// A certificate and its private key, PEM.
#[derive(Clone, Debug)]
pub struct IssuedCert {
    pub cert_pem: String,
    pub key_pem: String,
}

/// What a certificate is for.
#[derive(Clone, Debug)]
pub struct CertRequest<'a> {
    pub common_name: &'a str,
    /// Subject alternative names: IP addresses or DNS names.
    pub hosts: &'a [&'a str],
    /// Valid only in 2020 (a certificate that expired long ago).
    pub expired: bool,
    /// A client certificate (extended key usage clientAuth) rather than a server one.
    pub client: bool,
}

/// A CA that signs test certificates.
pub struct TestPki {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

fn pki_error(what: &str) -> impl FnOnce(rcgen::Error) -> HarnessError + '_ {
    move |e| HarnessError::Spec(format!("test PKI: {what}: {e}"))
}

impl TestPki {
    /// A new CA named `name` (its certificate's common name).
    pub fn new(name: &str) -> Result<Self, HarnessError> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(pki_error("CA"))?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().map_err(pki_error("CA key"))?;
        let issuer = CertifiedIssuer::self_signed(params, key).map_err(pki_error("CA"))?;
        Ok(TestPki { issuer })
    }

    /// The CA certificate, PEM (what a truststore holds).
    pub fn ca_pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA certificate to `path` and returns it.
    pub fn write_ca(&self, path: &Path) -> Result<PathBuf, HarnessError> {
        std::fs::write(path, self.ca_pem())
            .map_err(HarnessError::io(format!("writing {}", path.display())))?;
        Ok(path.to_owned())
    }

    /// A certificate signed by this CA.
    pub fn issue(&self, req: &CertRequest<'_>) -> Result<IssuedCert, HarnessError> {
        let hosts: Vec<String> = req.hosts.iter().map(|h| h.to_string()).collect();
        let mut params = CertificateParams::new(hosts).map_err(pki_error(req.common_name))?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, req.common_name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![if req.client {
            ExtendedKeyUsagePurpose::ClientAuth
        } else {
            ExtendedKeyUsagePurpose::ServerAuth
        }];
        if req.expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2020, 12, 31);
        }
        let key = KeyPair::generate().map_err(pki_error(req.common_name))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(pki_error(req.common_name))?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

impl IssuedCert {
    /// Key and certificate in one file (a PEM keystore as clients such as kplan, kcat and
    /// librdkafka read it), mode 600.
    pub fn write_keystore(&self, path: &Path) -> Result<PathBuf, HarnessError> {
        write_private(path, &format!("{}{}", self.key_pem, self.cert_pem))?;
        Ok(path.to_owned())
    }
}

/// Writes a file only its owner may read.
pub fn write_private(path: &Path, text: &str) -> Result<(), HarnessError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(HarnessError::io(format!("writing {}", path.display())))?;
    f.write_all(text.as_bytes())
        .map_err(HarnessError::io(format!("writing {}", path.display())))
}
