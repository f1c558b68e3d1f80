//! The `client` example through a real HTTP proxy (tinyproxy, installed by
//! `scripts/proxy-setup.sh`), the way people run it: the proxy from the environment
//! (`ws_proxy=…`), or `--proxy`, and `--no-proxy` to go around it.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `client` example, built by `cargo test` beside this test's binary.
fn client_example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join("client")
}

/// `axum_echo`'s router on a free port, on a runtime of its own; gives its port.
fn echo_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, sansock_examples::axum_echo::router())
                .await
                .unwrap();
        });
    });
    port
}

struct Tinyproxy(Child, u16);

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// tinyproxy on a free port; `only_port` allows CONNECT to that port alone.
fn tinyproxy(only_port: Option<u16>) -> Tinyproxy {
    let status = Command::new(root().join("scripts/proxy-setup.sh"))
        .status()
        .unwrap();
    assert!(status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("sansock-example-tinyproxy-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut conf = format!("Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\n");
    if let Some(p) = only_port {
        conf += &format!("ConnectPort {p}\n");
    }
    let path = dir.join("tinyproxy.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new("tinyproxy")
        .args(["-d", "-c"])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let by = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < by, "tinyproxy never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    Tinyproxy(child, port)
}

/// Runs the client example with `args` and `env`, types `hello`, and gives its exit status,
/// stdout and stderr.
fn run_client(args: &[&str], env: &[(&str, String)]) -> (bool, String, String) {
    let mut cmd = Command::new(client_example());
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in [
        "ws_proxy",
        "http_proxy",
        "all_proxy",
        "no_proxy",
        "HTTP_PROXY",
        "ALL_PROXY",
    ] {
        cmd.env_remove(name);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_client_example_goes_through_the_proxy_the_environment_names() {
    let echo = echo_server();
    let url = format!("ws://127.0.0.1:{echo}/");
    let proxy = tinyproxy(None);
    let via = format!("http://127.0.0.1:{}", proxy.1);

    let (ok, stdout, stderr) = run_client(&[&url], &[("ws_proxy", via.clone())]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("< hello"), "{stdout}");
    assert!(
        stderr.contains(&format!("through the proxy 127.0.0.1:{}", proxy.1)),
        "{stderr}"
    );

    let (ok, stdout, stderr) = run_client(&["--proxy", &via, &url], &[]);
    assert!(ok && stdout.contains("< hello"), "{stdout}{stderr}");

    // A proxy that refuses this port shows the traffic really goes through it; --no-proxy and
    // no_proxy go around it.
    let strict = tinyproxy(Some(1));
    let refusing = format!("http://127.0.0.1:{}", strict.1);
    let (ok, _, stderr) = run_client(&[&url], &[("http_proxy", refusing.clone())]);
    assert!(
        !ok && stderr.contains("refused the tunnel with 403"),
        "{stderr}"
    );
    let (ok, stdout, _) = run_client(&["--no-proxy", &url], &[("http_proxy", refusing.clone())]);
    assert!(ok && stdout.contains("< hello"));
    let env = [
        ("http_proxy", refusing),
        ("no_proxy", "127.0.0.1".to_string()),
    ];
    let (ok, stdout, stderr) = run_client(&[&url], &env);
    assert!(ok && stdout.contains("< hello"), "{stderr}");
    assert!(!stderr.contains("through the proxy"), "{stderr}");
}
