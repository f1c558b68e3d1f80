//! Debian's nginx and HAProxy as the process tests run them: started on a free port from the
//! book's own configurations (`examples/deploy/`, filled in as their comments say) with a
//! self-signed certificate, stopped by pid; members joined through them over TLS from a chosen
//! loopback address.

use super::chat::{root, wait_for_port};
use super::free_port;
use sansock_tokio::{ClientSettings, WebSocketStream};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use tokio_rustls::rustls;

pub type Member = WebSocketStream<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>;

/// Which proxy, and how it tells the servers who the client is.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// nginx: `X-Forwarded-For` to the servers.
    Nginx,
    /// HAProxy: the PROXY protocol to the servers.
    Haproxy,
}

impl Kind {
    /// The chat's flags for servers behind this proxy.
    pub fn server_flags(self) -> &'static [&'static str] {
        match self {
            Kind::Nginx => &["--trusted-proxy", "127.0.0.1"],
            Kind::Haproxy => &["--proxy-protocol"],
        }
    }
}

/// A self-signed certificate for 127.0.0.1, as PEM files in `dir`, and the client's trust in it.
pub struct Certificate {
    cert: PathBuf,
    key: PathBuf,
    both: PathBuf,
    /// A client configuration that trusts it.
    pub client: Arc<rustls::ClientConfig>,
}

impl Certificate {
    fn new(dir: &std::path::Path) -> Certificate {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
        let (cert, key, both) = (
            dir.join("cert.pem"),
            dir.join("key.pem"),
            dir.join("both.pem"),
        );
        std::fs::write(&cert, &cert_pem).unwrap();
        std::fs::write(&key, &key_pem).unwrap();
        std::fs::write(&both, format!("{cert_pem}{key_pem}")).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(made.cert.der().clone()).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Certificate {
            cert,
            key,
            both,
            client: Arc::new(client),
        }
    }
}

/// A real nginx or HAProxy on a free port, run from the book's configuration; stopped by its
/// process id when dropped.
pub struct Proxy {
    child: Child,
    pub port: u16,
    dir: PathBuf,
    pub certificate: Certificate,
}

impl Proxy {
    /// `kind` in front of the servers on `ports` (three; a port may repeat), cutting an idle
    /// WebSocket after `idle`.
    pub fn start(kind: Kind, ports: [u16; 3], idle: &str) -> Proxy {
        let status = Command::new(root().join("scripts/reverse-proxy-setup.sh"))
            .status()
            .unwrap();
        assert!(status.success(), "scripts/reverse-proxy-setup.sh failed");
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("sansock-{kind:?}-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let certificate = Certificate::new(&dir);
        let path = |p: &PathBuf| p.to_str().unwrap().to_string();
        let values = [
            ("LISTEN", format!("127.0.0.1:{port}")),
            ("CERT", path(&certificate.cert)),
            ("KEY", path(&certificate.key)),
            ("CERT_AND_KEY", path(&certificate.both)),
            ("CHAT_1", format!("127.0.0.1:{}", ports[0])),
            ("CHAT_2", format!("127.0.0.1:{}", ports[1])),
            ("CHAT_3", format!("127.0.0.1:{}", ports[2])),
            ("IDLE_TIMEOUT", idle.to_string()),
            ("RUN_DIR", path(&dir)),
        ];
        let (template, file) = match kind {
            Kind::Nginx => ("nginx.conf", "nginx.conf"),
            Kind::Haproxy => ("haproxy.cfg", "haproxy.cfg"),
        };
        let mut config =
            std::fs::read_to_string(root().join("examples/deploy").join(template)).unwrap();
        for (name, value) in values {
            config = config.replace(&format!("${{{name}}}"), &value);
        }
        // Only the template's own list of variables may remain in its comment.
        let body: String = config
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        assert!(
            !body.contains("${"),
            "a variable was left unfilled:\n{config}"
        );
        let config_file = dir.join(file);
        std::fs::write(&config_file, &config).unwrap();
        let child = match kind {
            Kind::Nginx => Command::new("/usr/sbin/nginx")
                .args(["-p", &path(&dir), "-e", &path(&dir.join("error.log"))])
                .args(["-c", &path(&config_file), "-g", "daemon off;"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
            Kind::Haproxy => Command::new("/usr/sbin/haproxy")
                .args(["-db", "-f", &path(&config_file)])
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        };
        wait_for_port(port);
        Proxy {
            child,
            port,
            dir,
            certificate,
        }
    }

    /// A member named `nick` through the proxy, from the address `from` (a 127.0.0.0/8 one),
    /// over TLS.
    pub async fn join(&self, nick: &str, from: &str) -> Member {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(SocketAddr::new(from.parse().unwrap(), 0))
            .unwrap();
        let tcp = socket
            .connect(SocketAddr::from(([127, 0, 0, 1], self.port)))
            .await
            .unwrap();
        let tls = tokio_rustls::TlsConnector::from(self.certificate.client.clone());
        let name = rustls::pki_types::ServerName::IpAddress(IpAddr::from([127, 0, 0, 1]).into());
        let tls = tls.connect(name, tcp).await.unwrap();
        let host = format!("127.0.0.1:{}", self.port);
        let request = sansock_core::ClientRequest::new(host, format!("/chat?nick={nick}"));
        let (ws, _) = sansock_tokio::client(tls, &request, ClientSettings::new())
            .await
            .unwrap();
        ws
    }
}

impl Drop for Proxy {
    /// SIGTERM first, by pid: nginx's master then stops its workers (SIGKILL would leave them
    /// running, orphaned, holding the port); SIGKILL if it is still there after 5 s.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && std::time::Instant::now() < end {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
