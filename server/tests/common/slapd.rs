//! A throwaway OpenLDAP `slapd` on a loopback port, with its own configuration and data in
//! a temporary folder (no system service is touched), killed when dropped.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BASE: &str = "dc=corp,dc=example";
pub const ROOT_DN: &str = "cn=admin,dc=corp,dc=example";
pub const ROOT_PASSWORD: &str = "admin-secret";

pub struct Slapd {
    child: Child,
    pub url: String,
    pub dir: std::path::PathBuf,
    /// With [`Slapd::start_tls`]: the `ldaps://` address, and the CA that signed the
    /// server's certificate (for `SSL_CERT_FILE`).
    pub tls: Option<Tls>,
}

pub struct Tls {
    pub ldaps_url: String,
    pub ca_file: std::path::PathBuf,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn config(dir: &std::path::Path, sizelimit: &str, tls: bool) -> String {
    let tls = if tls {
        format!(
            "TLSCACertificateFile {dir}/ca.pem\nTLSCertificateFile {dir}/cert.pem\n\
             TLSCertificateKeyFile {dir}/key.pem\n",
            dir = dir.display()
        )
    } else {
        String::new()
    };
    format!(
        "{tls}include /etc/ldap/schema/core.schema\n\
         include /etc/ldap/schema/cosine.schema\n\
         include /etc/ldap/schema/nis.schema\n\
         include /etc/ldap/schema/inetorgperson.schema\n\
         modulepath /usr/lib/ldap\n\
         moduleload back_mdb\n\
         pidfile {dir}/slapd.pid\n\
         sizelimit {sizelimit}\n\
         database mdb\n\
         maxsize 1073741824\n\
         suffix \"{BASE}\"\n\
         rootdn \"{ROOT_DN}\"\n\
         rootpw {ROOT_PASSWORD}\n\
         directory {dir}/data\n",
        dir = dir.display()
    )
}

/// The base entries: the organisation and `ou=people`.
const BASE_LDIF: &str = "dn: dc=corp,dc=example\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n\
dn: ou=people,dc=corp,dc=example\nobjectClass: organizationalUnit\nou: people\n\n";

/// An `inetOrgPerson` under `ou=people` with a password for binds as itself.
pub fn person(uid: &str, cn: &str, extra: &[(&str, &str)]) -> String {
    let mut ldif = format!(
        "dn: uid={uid},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {cn}\nsn: {cn}\nuserPassword: {uid}-password\n"
    );
    for (attribute, value) in extra {
        ldif.push_str(&format!("{attribute}: {value}\n"));
    }
    ldif.push('\n');
    ldif
}

impl Slapd {
    /// Starts slapd with `seed` (LDIF) loaded offline first, as a large directory is loaded.
    pub async fn start(seed: &str) -> Self {
        Self::start_limited(seed, "unlimited").await
    }

    /// `start` with slapd's `sizelimit` set to `limit`, e.g. one that only a paged search
    /// gets past.
    pub async fn start_limited(seed: &str, limit: &str) -> Self {
        Self::launch(seed, limit, false).await
    }

    /// `start`, also answering `ldaps://` and StartTLS with a certificate for `localhost`
    /// and 127.0.0.1 signed by a CA made for it (openssl). Its URLs name `localhost`.
    pub async fn start_tls(seed: &str) -> Self {
        Self::launch(seed, "unlimited", true).await
    }

    async fn launch(seed: &str, limit: &str, tls: bool) -> Self {
        assert!(
            std::path::Path::new("/usr/sbin/slapd").exists(),
            "slapd is not installed: scripts/setup.sh --test installs slapd and ldap-utils"
        );
        let dir = std::env::temp_dir().join(format!(
            "crewdesk-slapd-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(dir.join("data")).expect("slapd folder");
        let conf = dir.join("slapd.conf");
        if tls {
            make_certificates(&dir);
        }
        std::fs::write(&conf, config(&dir, limit, tls)).expect("slapd.conf");
        let ldif = dir.join("seed.ldif");
        std::fs::write(&ldif, format!("{BASE_LDIF}{seed}")).expect("seed.ldif");
        let loaded = Command::new("/usr/sbin/slapadd")
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&ldif)
            .arg("-q")
            .output()
            .expect("slapadd runs");
        assert!(
            loaded.status.success(),
            "slapadd: {}",
            String::from_utf8_lossy(&loaded.stderr)
        );
        let port = super::process::free_port();
        let host = if tls { "localhost" } else { "127.0.0.1" };
        let url = format!("ldap://{host}:{port}");
        let tls = tls.then(|| Tls {
            ldaps_url: format!("ldaps://localhost:{}", super::process::free_port()),
            ca_file: dir.join("ca.pem"),
        });
        let listen = match &tls {
            Some(tls) => format!(
                "ldap://127.0.0.1:{port} {}",
                tls.ldaps_url.replace("localhost", "127.0.0.1")
            ),
            None => url.clone(),
        };
        let child = Command::new("/usr/sbin/slapd")
            .arg("-f")
            .arg(&conf)
            .arg("-h")
            .arg(&listen)
            .args(["-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slapd starts");
        let slapd = Self {
            child,
            url,
            dir,
            tls,
        };
        // Bounded: slapd answers within a few seconds or the test fails.
        for _ in 0..200 {
            let probe = Command::new("ldapsearch")
                .args(["-x", "-H", &slapd.url, "-b", "", "-s", "base"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            if probe.is_ok_and(|s| s.success()) {
                return slapd;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("slapd did not answer at {}", slapd.url);
    }

    fn tool(&self, tool: &str, input: &str) {
        let mut child = Command::new(tool)
            .args(["-x", "-H", &self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ldap tool runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write LDIF");
        let out = child.wait_with_output().expect("ldap tool ends");
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `ldapadd` of `ldif`.
    pub fn add(&self, ldif: &str) {
        self.tool("ldapadd", ldif);
    }

    /// `ldapmodify` with `ldif` (changetype records).
    pub fn modify(&self, ldif: &str) {
        self.tool("ldapmodify", ldif);
    }

    /// `ldapdelete` of `dn`.
    pub fn delete(&self, dn: &str) {
        let out = Command::new("ldapdelete")
            .args([
                "-x",
                "-H",
                &self.url,
                "-D",
                ROOT_DN,
                "-w",
                ROOT_PASSWORD,
                dn,
            ])
            .output()
            .expect("ldapdelete runs");
        assert!(
            out.status.success(),
            "ldapdelete: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `ca.pem` and, signed by it, `cert.pem` / `key.pem` for localhost and 127.0.0.1, in `dir`.
fn make_certificates(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs (scripts/setup.sh --test installs it)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Crewdesk test CA",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "key.pem",
            "-out",
            "cert.csr",
            "-subj",
            "/CN=localhost",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("cert.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("cert.ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "cert.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "cert.ext",
    ]);
}
