//! A real headless Chromium driven over the DevTools protocol, for the dashboard test: pages
//! that stay open (the dashboard's event stream never ends, so `--dump-dom` would wait for it
//! forever), clicks and inputs, screenshots.
//!
//! The protocol goes through `--remote-debugging-pipe` (JSON messages ending in a NUL byte; the
//! browser reads fd 3 and writes fd 4). The two fds are named pipes a shell opens before it
//! becomes Chromium, so no crate and no unsafe code is needed to hand them over.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub fn chromium() -> PathBuf {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return PathBuf::from(path);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in ["/usr/bin", "/usr/local/bin", "/snap/bin"] {
            let path = Path::new(dir).join(name);
            if path.exists() {
                return path;
            }
        }
    }
    panic!("the dashboard test needs Chromium: apt-get install chromium (scripts/test.sh does)");
}

pub struct Browser {
    child: Child,
    commands: std::fs::File,
    replies: Receiver<Value>,
    next_id: u64,
    _dir: tempfile::TempDir,
}

/// One open tab.
pub struct Page {
    session: String,
}

impl Browser {
    /// Headless Chromium with a fresh profile and no outside network.
    pub fn start() -> Browser {
        let dir = tempfile::tempdir().unwrap();
        let to_browser = dir.path().join("in");
        let from_browser = dir.path().join("out");
        for fifo in [&to_browser, &from_browser] {
            let made = Command::new("mkfifo").arg(fifo).status().unwrap();
            assert!(made.success(), "mkfifo {}", fifo.display());
        }
        let profile = dir.path().join("profile");
        let command = format!(
            "exec \"$0\" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
             --disable-background-networking --disable-component-update --disable-sync \
             --disable-dev-shm-usage --window-size=1400,1100 --user-data-dir='{}' \
             --remote-debugging-pipe about:blank 3<'{}' 4>'{}'",
            profile.display(),
            to_browser.display(),
            from_browser.display()
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .arg(chromium())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium runs");
        // The shell opens fd 3 (blocking until this writer opens), then fd 4.
        let commands = std::fs::OpenOptions::new()
            .write(true)
            .open(&to_browser)
            .unwrap();
        let replies_pipe = std::fs::File::open(&from_browser).unwrap();
        let (sender, replies) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(replies_pipe);
            let mut message = Vec::new();
            loop {
                message.clear();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if message.last() == Some(&0) {
                    message.pop();
                }
                if let Ok(value) = serde_json::from_slice::<Value>(&message) {
                    if sender.send(value).is_err() {
                        return;
                    }
                }
            }
        });
        Browser {
            child,
            commands,
            replies,
            next_id: 0,
            _dir: dir,
        }
    }

    /// Sends a command (to a tab when `session` is given) and waits for its answer.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands.write_all(&bytes).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self
                .replies
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("chromium did not answer {method}"));
            if reply["id"] == json!(id) {
                assert!(
                    reply.get("error").is_none(),
                    "{method} failed: {}",
                    reply["error"]
                );
                return reply["result"].clone();
            }
        }
    }

    /// Opens `url` in a new tab and waits for it to load.
    pub fn open(&mut self, url: &str) -> Page {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        let page = Page {
            session: attached["sessionId"].as_str().unwrap().to_string(),
        };
        self.call(Some(&page.session), "Page.enable", json!({}));
        self.call(Some(&page.session), "Page.navigate", json!({"url": url}));
        self.wait_for(
            &page,
            "document.readyState === 'complete' && location.href !== 'about:blank'",
            Duration::from_secs(30),
        );
        page
    }

    /// The value of a JavaScript expression in the page (promises awaited).
    pub fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let result = self.call(
            Some(&page.session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression} threw: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy; panics with the page's text after `deadline`.
    pub fn wait_for(&mut self, page: &Page, expression: &str, deadline: Duration) -> Value {
        let start = Instant::now();
        loop {
            let value = self.eval(page, &format!("(() => {{ try {{ return ({expression}); }} catch (e) {{ return false; }} }})()"));
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            if start.elapsed() > deadline {
                let text = self.eval(page, "document.body ? document.body.innerText : ''");
                panic!("never true in the page: {expression}\npage text:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A PNG of the page as shown.
    pub fn screenshot(&mut self, page: &Page) -> Vec<u8> {
        use base64::Engine;
        let shot = self.call(
            Some(&page.session),
            "Page.captureScreenshot",
            json!({"format": "png"}),
        );
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .commands
            .write_all(b"{\"id\":0,\"method\":\"Browser.close\"}\0");
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
