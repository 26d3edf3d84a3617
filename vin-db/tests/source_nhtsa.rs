//! Downloading NHTSA's dump, against a real HTTP server on 127.0.0.1.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vin_db::etl::source::nhtsa::{Downloader, Month, RetryPolicy, file_name};
use vin_db::etl::source::{SourceEvent, SourceOptions, WantedTables, open, open_with};
use zip::write::SimpleFileOptions;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn month(&self) -> String {
        self.path
            .trim_start_matches("/dl/vPICList_lite_")
            .trim_end_matches(".plain.zip")
            .to_owned()
    }
}

/// What to answer.
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Declare the full length but send only this many body bytes, then close.
    send_only: Option<usize>,
}

impl Resp {
    fn status(status: u16) -> Self {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            send_only: None,
        }
    }
}

type Handler = Arc<dyn Fn(&Req, &[Req]) -> Resp + Send + Sync>;

/// A tiny HTTP/1.1 server: one request per connection. Returns the base URL
/// and the log of requests.
async fn serve(handler: Handler) -> (String, Arc<Mutex<Vec<Req>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log: Arc<Mutex<Vec<Req>>> = Arc::default();
    let log2 = Arc::clone(&log);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let handler = Arc::clone(&handler);
            let log = Arc::clone(&log2);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&buf).to_string();
                let mut lines = text.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let req = Req {
                    method: first.next().unwrap_or("").to_owned(),
                    path: first.next().unwrap_or("").to_owned(),
                    headers: lines
                        .take_while(|l| !l.is_empty())
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .collect(),
                };
                let resp = {
                    let mut log = log.lock().unwrap();
                    let resp = handler(&req, &log);
                    log.push(req.clone());
                    resp
                };
                let mut head = format!("HTTP/1.1 {} X\r\n", resp.status);
                if !resp
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                {
                    head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
                }
                for (k, v) in &resp.headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("Connection: close\r\n\r\n");
                let _ = sock.write_all(head.as_bytes()).await;
                if req.method != "HEAD" {
                    let n = resp
                        .send_only
                        .unwrap_or(resp.body.len())
                        .min(resp.body.len());
                    let _ = sock.write_all(&resp.body[..n]).await;
                }
                let _ = sock.flush().await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}/dl/"), log)
}

/// A small but real dump, zipped like NHTSA's.
fn dump_zip(month: &str, models: usize) -> Vec<u8> {
    let mut sql =
        String::from("--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n\n");
    sql.push_str("COPY vpic.make (id, name) FROM stdin;\n474\tHONDA\n\\.\n\n");
    sql.push_str("COPY vpic.model (id, name) FROM stdin;\n");
    for i in 0..models {
        sql.push_str(&format!("{i}\tModel {i}\n"));
    }
    sql.push_str("\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n");
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(format!("vPICList_lite_{month}.sql"), opts)
        .unwrap();
    zip.write_all(sql.as_bytes()).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serves `body` for HEAD and GET, honouring `Range: bytes=N-`.
fn file_response(req: &Req, body: &[u8], etag: &str) -> Resp {
    let mut resp = Resp::status(200);
    resp.headers.push(("ETag".into(), etag.into()));
    resp.headers.push((
        "Last-Modified".into(),
        "Tue, 11 Aug 2026 10:00:00 GMT".into(),
    ));
    if req.method == "HEAD" {
        resp.headers
            .push(("Content-Length".into(), body.len().to_string()));
        return resp;
    }
    match req
        .header("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
    {
        Some(start) if req.header("if-range") == Some(etag) => {
            let start: usize = start.parse().unwrap();
            resp.status = 206;
            resp.headers.push((
                "Content-Range".into(),
                format!("bytes {start}-{}/{}", body.len() - 1, body.len()),
            ));
            resp.body = body[start..].to_vec();
        }
        _ => resp.body = body.to_vec(),
    }
    resp
}

fn downloader(base: &str, cache: &std::path::Path) -> Downloader {
    let mut d = Downloader::new(base, cache.to_path_buf()).unwrap();
    d.progress = false;
    d.retry = RetryPolicy {
        attempts: 4,
        base: Duration::from_millis(20),
        cap: Duration::from_millis(100),
    };
    d
}

fn gets(log: &Mutex<Vec<Req>>) -> Vec<Req> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|r| r.method == "GET")
        .cloned()
        .collect()
}

#[tokio::test]
async fn latest_walks_back_over_unpublished_months() {
    let body = Arc::new(dump_zip("2026_05", 10));
    let b = Arc::clone(&body);
    // The third month asked for is the newest published one.
    let (base, log) = serve(Arc::new(move |req, seen| {
        let heads = seen.iter().filter(|r| r.method == "HEAD").count();
        if req.method == "HEAD" && heads < 2 {
            Resp::status(404)
        } else {
            file_response(req, &b, "\"v1\"")
        }
    }))
    .await;
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(&base, cache.path());
    let (remote, path) = d.fetch(&Month::Latest).await.unwrap();
    let heads: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.method == "HEAD")
        .map(Req::month)
        .collect();
    assert_eq!(heads.len(), 3);
    assert_eq!(heads[0], vin_db::etl::source::nhtsa::current_utc_month());
    for pair in heads.windows(2) {
        assert_eq!(
            vin_db::etl::source::nhtsa::previous_month(&pair[0]).as_deref(),
            Some(pair[1].as_str())
        );
    }
    assert_eq!(remote.month, heads[2]);
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        file_name(&heads[2])
    );
    assert_eq!(std::fs::read(&path).unwrap(), *body);
    assert_eq!(remote.size, Some(body.len() as u64));
    assert_eq!(remote.etag.as_deref(), Some("\"v1\""));
}

#[tokio::test]
async fn nothing_published_and_a_missing_month_are_errors() {
    let (base, log) = serve(Arc::new(|_, _| Resp::status(404))).await;
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(&base, cache.path());
    let e = d.fetch(&Month::Latest).await.unwrap_err();
    assert_eq!(e.code(), "ERR_DATA_UNAVAILABLE");
    assert_eq!(log.lock().unwrap().len(), 13, "current month and 12 back");
    let e = d.fetch(&Month::Exact("2026_08".into())).await.unwrap_err();
    assert!(e.to_string().contains("not published"), "{e}");
    assert!(gets(&log).is_empty());
}

#[tokio::test]
async fn a_server_error_is_retried() {
    let body = Arc::new(dump_zip("2026_08", 10));
    let b = Arc::clone(&body);
    let (base, log) = serve(Arc::new(move |req, seen| {
        let failed_before = seen.iter().any(|r| r.method == "GET");
        if req.method == "GET" && !failed_before {
            Resp::status(500)
        } else {
            file_response(req, &b, "\"v1\"")
        }
    }))
    .await;
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(&base, cache.path());
    let (_, path) = d.fetch(&Month::Exact("2026_08".into())).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), *body);
    assert_eq!(gets(&log).len(), 2);

    // A 4xx other than 404 is not retried.
    let (base, log) = serve(Arc::new(|req, _| {
        if req.method == "HEAD" {
            Resp::status(200)
        } else {
            Resp::status(403)
        }
    }))
    .await;
    let d = downloader(&base, cache.path());
    let e = d.fetch(&Month::Exact("2026_07".into())).await.unwrap_err();
    assert!(e.to_string().contains("403"), "{e}");
    assert_eq!(gets(&log).len(), 1);
}

#[tokio::test]
async fn a_truncated_body_is_resumed() {
    let body = Arc::new(dump_zip("2026_08", 20_000));
    let b = Arc::clone(&body);
    let (base, log) = serve(Arc::new(move |req, seen| {
        let mut resp = file_response(req, &b, "\"v1\"");
        if req.method == "GET" && !seen.iter().any(|r| r.method == "GET") {
            // Promise everything, send a third, hang up.
            resp.send_only = Some(b.len() / 3);
        }
        resp
    }))
    .await;
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(&base, cache.path());
    let (remote, path) = d.fetch(&Month::Exact("2026_08".into())).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), *body);
    assert_eq!(remote.size, Some(body.len() as u64));
    let gets = gets(&log);
    assert_eq!(gets.len(), 2);
    assert_eq!(gets[0].header("range"), None);
    assert_eq!(
        gets[1].header("range"),
        Some(format!("bytes={}-", body.len() / 3).as_str())
    );
    assert!(
        !cache
            .path()
            .join(format!("{}.part", file_name("2026_08")))
            .exists()
    );
}

#[tokio::test]
async fn a_body_truncated_every_time_fails_after_the_retries() {
    let body = Arc::new(dump_zip("2026_08", 5_000));
    let b = Arc::clone(&body);
    // Never honour ranges (no If-Range match) and always cut: no progress.
    let (base, log) = serve(Arc::new(move |req, _| {
        let mut resp = file_response(req, &b, "\"other\"");
        if req.method == "GET" {
            resp.headers.retain(|(k, _)| k != "ETag");
            resp.status = 200;
            resp.body = b.to_vec();
            resp.send_only = Some(100);
        }
        resp
    }))
    .await;
    let cache = tempfile::tempdir().unwrap();
    let d = downloader(&base, cache.path());
    let e = d.fetch(&Month::Exact("2026_08".into())).await.unwrap_err();
    assert_eq!(e.code(), "ERR_DATA_UNAVAILABLE");
    assert_eq!(gets(&log).len(), 4);
    assert!(!cache.path().join(file_name("2026_08")).exists());
}

/// Through `open`: download, stream, cache hit, then a re-issued month.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_downloads_streams_and_notices_a_reissue() {
    let v1 = dump_zip("2026_08", 30);
    let v2 = dump_zip("2026_08", 31);
    let current: Arc<Mutex<(Vec<u8>, String)>> =
        Arc::new(Mutex::new((v1.clone(), "\"v1\"".into())));
    let cur = Arc::clone(&current);
    let (base, log) = serve(Arc::new(move |req, _| {
        let (body, etag) = cur.lock().unwrap().clone();
        if req.month() != "2026_08" {
            return Resp::status(404);
        }
        file_response(req, &body, &etag)
    }))
    .await;
    let cache = tempfile::tempdir().unwrap();
    let options = SourceOptions {
        nhtsa_base_url: base.clone(),
        cache_dir: Some(cache.path().to_path_buf()),
        progress: false,
        ..SourceOptions::from_env()
    };
    let read = || {
        let options = options.clone();
        tokio::task::spawn_blocking(move || {
            let mut src = open_with("nhtsa:2026_08", WantedTables::All, &options).unwrap();
            let mut rows = 0;
            for ev in src.by_ref() {
                if let SourceEvent::Rows(r) = ev.unwrap() {
                    rows += r.len();
                }
            }
            (rows, src.info(), src.release().unwrap())
        })
    };
    let (rows, info, release) = read().await.unwrap();
    assert_eq!(rows, 1 + 30);
    assert_eq!(info.data_month.as_deref(), Some("2026_08"));
    assert_eq!(info.sha256.as_deref(), Some(sha256_hex(&v1).as_str()));
    assert_eq!(release.sha256, sha256_hex(&v1));
    assert_eq!(release.size, v1.len() as u64);
    assert_eq!(release.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        release.last_modified.as_deref(),
        Some("Tue, 11 Aug 2026 10:00:00 GMT")
    );
    assert_eq!(gets(&log).len(), 1);

    // Same month again: the cached file serves, no second download.
    let (rows, _, release_again) = read().await.unwrap();
    assert_eq!(rows, 31);
    assert_eq!(release_again, release);
    assert_eq!(gets(&log).len(), 1);

    // NHTSA re-issues the month: new bytes, new ETag, same URL.
    *current.lock().unwrap() = (v2.clone(), "\"v2\"".into());
    let (rows, _, reissued) = read().await.unwrap();
    assert_eq!(rows, 1 + 31);
    assert_eq!(gets(&log).len(), 2);
    assert_eq!(reissued.month, release.month);
    assert_ne!(reissued.sha256, release.sha256);
    assert_eq!(reissued.sha256, sha256_hex(&v2));

    let opts = options.clone();
    let e = tokio::task::spawn_blocking(move || {
        open_with("nhtsa:2026_01", WantedTables::All, &opts).unwrap_err()
    })
    .await
    .unwrap();
    assert!(e.to_string().contains("not published"), "{e}");
    let e = open("nhtsa:26_08", WantedTables::All).unwrap_err();
    assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
}
