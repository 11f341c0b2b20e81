//! Harness for the end-to-end test of the built page: a static file server for `dist/` on
//! 127.0.0.1, chromedriver on a free port, a headless Chromium session, and the page weight.
//!
//! Design decision: everything the test needs runs inside the test process or as a child it
//! owns (chromedriver), on loopback ports it picks, and is torn down on drop; no external
//! server, no fixed port, no network beyond 127.0.0.1.

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::{fs, thread};

/// The built page: `$PAGE_DIST` or `dist/` at the repository root.
pub fn dist_dir() -> PathBuf {
    match std::env::var_os("PAGE_DIST") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist"),
    }
}

/// A file or folder of the repository, by its path from the root, made canonical: chromedriver
/// refuses to pick a file whose path holds `..` ("path is not canonical").
pub fn repo_path(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative);
    path.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Checks that `dist/` holds a built page, with a message saying how to build one.
pub fn require_built_page(dist: &Path) {
    assert!(
        dist.join("index.html").is_file(),
        "no built page at {}: run `trunk build --release --offline` first (scripts/test does)",
        dist.display()
    );
}

/// Serves the files of one directory over HTTP/1.1 on 127.0.0.1, one thread per connection,
/// `Connection: close`. GET only; `/` is `index.html`; paths leaving the directory are 404.
pub struct StaticServer {
    pub addr: SocketAddr,
}

impl StaticServer {
    pub fn start(root: &Path) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let root = root.to_path_buf();
        // The thread ends with the test process.
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                thread::spawn(move || {
                    // A failed connection affects only that request.
                    let _ = serve(&root, stream);
                });
            }
        });
        Ok(Self { addr })
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

fn serve(root: &Path, mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; requests carry no body.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = resolve(root, path);
    let (status, content_type, body) = match (method, file.and_then(|f| fs::read(&f).ok().map(|b| (f, b)))) {
        ("GET", Some((file, body))) => ("200 OK", content_type(&file), body),
        ("GET", None) => ("404 Not Found", "text/plain", b"not found".to_vec()),
        _ => ("405 Method Not Allowed", "text/plain", b"GET only".to_vec()),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    stream.flush()
}

/// The file for a URL path inside `root`, refusing `..` and absolute components.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = url_path.trim_start_matches('/');
    let relative = if relative.is_empty() { "index.html" } else { relative };
    let relative = Path::new(relative);
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = root.join(relative);
    file.is_file().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        // `WebAssembly.instantiateStreaming` requires this type.
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// A chromedriver child process on a free loopback port; killed on drop.
pub struct Chromedriver {
    child: Child,
    pub port: u16,
}

impl Chromedriver {
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting chromedriver (Debian package chromium-driver; scripts/test installs it): {e}"));
        let mut driver = Self { child, port };
        driver.wait_until_listening(Duration::from_secs(20));
        driver
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_until_listening(&mut self, limit: Duration) {
        let start = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("chromedriver exited before listening: {status}");
            }
            assert!(start.elapsed() < limit, "chromedriver did not listen on port {} within {limit:?}", self.port);
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // Already gone is fine.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now (the OS picks it; the listener is closed before use).
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding a loopback port");
    listener.local_addr().expect("local address").port()
}

/// A fresh, empty Chromium profile directory; removed on drop.
pub struct ProfileDir(pub PathBuf);

impl ProfileDir {
    pub fn new() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("page-e2e-chromium-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).expect("creating the Chromium profile directory");
        Self(dir)
    }
}

impl Default for ProfileDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ProfileDir {
    fn drop(&mut self) {
        // Chromium may still hold files for a moment; a leftover temp dir is harmless.
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A headless Chromium session (`/usr/bin/chromium`, or `$CHROMIUM`) with the flags that run
/// as root in a container and keep the browser from calling home.
pub async fn headless_chromium(driver: &Chromedriver, profile: &ProfileDir) -> Client {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    let capabilities: Capabilities = serde_json::from_value(serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": binary,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.0.display()),
                "--window-size=1200,800",
            ]
        }
    }))
    .expect("capabilities are a JSON object");
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url())
        .await
        .unwrap_or_else(|e| panic!("opening a Chromium session through chromedriver at {}: {e}", driver.url()))
}

/// One test's browser on the built page: `dist/` served on 127.0.0.1, chromedriver, a fresh
/// profile and a headless Chromium session, each stopped or removed when dropped.
pub struct PageSession {
    pub client: Client,
    pub server: StaticServer,
    _driver: Chromedriver,
    /// The browser profile's directory, also a scratch place for files a test hands the page.
    pub profile: ProfileDir,
}

impl PageSession {
    /// Fails with what to run when the page is not built.
    pub async fn start() -> Self {
        Self::serving(&dist_dir()).await
    }

    /// The same, serving the built page from `dist` (a copy a test has changed).
    pub async fn serving(dist: &Path) -> Self {
        require_built_page(dist);
        let server = StaticServer::start(dist).expect("starting the static server on 127.0.0.1");
        let driver = Chromedriver::start();
        let profile = ProfileDir::new();
        let client = headless_chromium(&driver, &profile).await;
        Self { client, server, _driver: driver, profile }
    }
}

/// One file of the page's weight.
#[derive(Debug, Clone)]
pub struct WeighedFile {
    pub name: String,
    pub bytes: u64,
    pub gzip_bytes: u64,
}

/// The benchmark worker's files (`data-type="worker"` in `index.html`: Trunk names them after
/// the binary, without a hash; the loader is `static/bench_worker_loader.js`), loaded by the
/// page on the first use of the benchmark loop.
pub const WORKER_FILES: [&str; 3] = ["bench_worker_loader.js", "bench_worker.js", "bench_worker_bg.wasm"];

/// The full page (`data-type="worker"` in `index.html`, so named without a
/// hash; `src/bin/full_page.rs`) and its starter (`static/full_page_loader.js`), loaded
/// by the startup page when the user opens the loop.
pub const FULL_PAGE_FILES: [&str; 3] = ["full_page.js", "full_page_loader.js", "full_page_bg.wasm"];

/// The wasm, JavaScript and CSS files `dist/index.html` loads at startup: every file name
/// ending in `.wasm`, `.js` or `.css` that the HTML names (attributes and its loader script).
pub fn startup_files(dist: &Path) -> Vec<String> {
    let html_path = dist.join("index.html");
    let html = fs::read_to_string(&html_path).unwrap_or_else(|e| panic!("reading {}: {e}", html_path.display()));
    let mut names: Vec<String> = html
        .split(['"', '\'', '`', '(', ')', ' ', '=', ',', '<', '>', '\n'])
        .filter(|token| [".wasm", ".js", ".css"].iter().any(|ext| token.ends_with(ext)))
        .map(|token| token.trim_start_matches("./").trim_start_matches('/').to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Every wasm, JavaScript and CSS file in `dist`.
pub fn built_files(dist: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dist)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dist.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "css")))
        .map(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
        .collect();
    names.sort();
    names
}

/// The files `names` in `dist`, each with its size compressed by `gzip -9` (the gzip program
/// itself, so the figure is the one anybody can reproduce).
pub fn weigh(dist: &Path, names: &[impl AsRef<str>]) -> Vec<WeighedFile> {
    names
        .iter()
        .map(|name| {
            let path = dist.join(name.as_ref());
            assert!(path.is_file(), "{} is not in {}", name.as_ref(), dist.display());
            WeighedFile {
                name: name.as_ref().to_string(),
                bytes: fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
                gzip_bytes: gzip_9_size(&path),
            }
        })
        .collect()
}

fn gzip_9_size(path: &Path) -> u64 {
    let mut child = Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .arg(path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running gzip: {e}"));
    let mut compressed = Vec::new();
    child.stdout.take().expect("piped stdout").read_to_end(&mut compressed).expect("reading gzip output");
    let status = child.wait().expect("waiting for gzip");
    assert!(status.success(), "gzip -9 {} failed: {status}", path.display());
    compressed.len() as u64
}

/// axe-core's `axe.min.js` (`$AXE_JS`, else where `scripts/lib.sh`'s `ensure_axe` installs it:
/// `.tools/` of this checkout); never part of the repository or the page.
pub fn axe_source() -> String {
    let path = std::env::var_os("AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/node_modules/axe-core/axe.min.js"));
    fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("reading axe-core at {} ({e}): scripts/test installs it (scripts/lib.sh, ensure_axe)", path.display())
    })
}

/// The WCAG 2.0 and 2.1 A and AA rules axe-core checks.
pub const WCAG_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// A rule axe-core finds broken: its id, impact, what it asks, and the elements that break it
/// (CSS selectors).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    pub targets: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}; at {}", self.id, self.impact.as_deref().unwrap_or("no impact"), self.help, self.targets.join(", "))
    }
}

/// Runs axe-core on the page open in `client` for the `WCAG_TAGS` rules. `axe` (the text of
/// `axe.min.js`) is run through WebDriver, not added as a `<script>`: the page's
/// Content-Security-Policy refuses inline scripts and `eval`, and code WebDriver runs is not
/// subject to it. Injected again only when the page has none (after a navigation).
pub async fn axe_violations(client: &Client, axe: &str) -> Vec<Violation> {
    let present = client.execute("return typeof window.axe === 'object';", vec![]).await.expect("asking for axe");
    if present != serde_json::Value::Bool(true) {
        // axe.min.js sets `window.axe` when it finds a window.
        let injected = client.execute(&format!("{axe}\n;return typeof window.axe === 'object';"), vec![]).await;
        assert_eq!(injected.ok(), Some(serde_json::Value::Bool(true)), "axe-core could not be injected into the page");
    }
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' '))
               }))))
               .catch(e => done(String(e)));",
            vec![serde_json::json!(WCAG_TAGS)],
        )
        .await
        .expect("running axe-core");
    serde_json::from_value(found.clone()).unwrap_or_else(|e| panic!("axe-core's answer {found}: {e}"))
}

/// A Chromium DevTools command sent through chromedriver (`goog/cdp/execute`): `(method, params)`.
#[derive(Debug)]
struct DevTools(&'static str, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(serde_json::json!({ "cmd": self.0, "params": self.1 }).to_string()))
    }
}

/// Makes the page see the user's colour scheme as `scheme` (`dark` or `light`), as the
/// operating system's setting would (`prefers-color-scheme`).
pub async fn prefer_color_scheme(client: &Client, scheme: &str) {
    let features = serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] });
    client
        .issue_cmd(DevTools("Emulation.setEmulatedMedia", features))
        .await
        .unwrap_or_else(|e| panic!("emulating prefers-color-scheme: {scheme}: {e}"));
}

/// Runs `script` (JavaScript, with a `return`) in the page and returns its value.
pub async fn js(client: &Client, script: &str) -> serde_json::Value {
    client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("running {script}: {e}"))
}

/// Polls the JavaScript expression `expression` until it is truthy (not null, false, 0 or
/// ""), for at most `patience`; returns its value, or fails naming `what` and the last value.
pub async fn wait_until(client: &Client, what: &str, expression: &str, patience: Duration) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let value = js(client, &format!("return {expression};")).await;
        let falsy = matches!(&value, serde_json::Value::Null | serde_json::Value::Bool(false))
            || value == serde_json::json!(0)
            || value == serde_json::json!("");
        if !falsy {
            return value;
        }
        assert!(start.elapsed() < patience, "waited {patience:?} for {what} ({expression}), last {value}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
