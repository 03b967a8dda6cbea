//! newsflow's configuration: the `config/newsflow.toml` format, its defaults, the `NEWSFLOW_*`
//! environment overrides and the checks behind `newsflow config check`.
//!
//! The environment is passed in as a map so tests never touch the process environment.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The only config layout version this build reads.
pub const CONFIG_VERSION: u32 = 1;

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Layout version of this file; must be 1.
    pub version: u32,
    /// Where newsflow keeps its own state (the watcher's local state, managed nats-server store).
    pub state_dir: PathBuf,
    /// Folder with the trained models (`<name>.model`, `ner.model`, ...).
    pub models_dir: PathBuf,
    pub nats: NatsConfig,
    pub watch: WatchConfig,
    pub workers: WorkersConfig,
    pub classify: ClassifyConfig,
    pub http: HttpConfig,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            version: CONFIG_VERSION,
            state_dir: PathBuf::from(".newsflow"),
            models_dir: PathBuf::from("config/models"),
            nats: NatsConfig::default(),
            watch: WatchConfig::default(),
            workers: WorkersConfig::default(),
            classify: ClassifyConfig::default(),
            http: HttpConfig::default(),
        }
    }
}

/// How to reach NATS and how the streams are laid out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NatsConfig {
    /// Server URL(s), comma separated. Empty: start and supervise a local `nats-server -js`
    /// with its store under `state_dir` (the embedded default).
    pub url: String,
    /// First token of every subject and of the stream names.
    pub prefix: String,
    /// Replicas of each stream (1 on a single server, 3 on a cluster).
    pub replicas: usize,
    /// JetStream duplicate window in seconds: a message id seen again within it is stored once.
    pub duplicate_window_secs: u64,
    /// How long the streams keep messages, in seconds (0: forever).
    pub max_age_secs: u64,
    /// Path of a `.creds` file (user JWT + nkey seed, as `nsc` writes it) for authentication
    /// against a server in operator (decentralised JWT) mode. Its contents are never logged.
    pub credentials_file: Option<PathBuf>,
    /// Path of a file holding a user nkey seed (`SU...`) for nkey authentication. Its contents
    /// are never logged.
    pub nkey_file: Option<PathBuf>,
    /// User name (with `password`).
    pub user: Option<String>,
    /// Password (with `user`). Never logged.
    pub password: Option<String>,
    /// Token authentication. Never logged.
    pub token: Option<String>,
    /// Require TLS to the server (a server with TLS configured is always spoken to over TLS).
    pub tls_required: bool,
    /// Extra root certificate (PEM) to trust, e.g. the CA of a self-signed server certificate.
    pub tls_ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for a server that verifies clients (mutual TLS); with
    /// `tls_key_file`.
    pub tls_cert_file: Option<PathBuf>,
    /// Private key (PEM) of `tls_cert_file`. Its contents are never logged.
    pub tls_key_file: Option<PathBuf>,
    /// Port of the managed local server (0: a free port is chosen).
    pub managed_port: u16,
}

impl Default for NatsConfig {
    fn default() -> NatsConfig {
        NatsConfig {
            url: String::new(),
            prefix: "newsflow".to_string(),
            replicas: 1,
            duplicate_window_secs: 1200,
            max_age_secs: 7 * 24 * 3600,
            credentials_file: None,
            nkey_file: None,
            user: None,
            password: None,
            token: None,
            tls_required: false,
            tls_ca_file: None,
            tls_cert_file: None,
            tls_key_file: None,
            managed_port: 0,
        }
    }
}

/// The folder watcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WatchConfig {
    /// The folder people drop articles into (watched recursively).
    pub inbox: PathBuf,
    /// Largest accepted file in bytes; larger files get an error record. For bulk files (WARC,
    /// JSON Lines, archives) it applies to each article inside them.
    pub max_file_bytes: u64,
    /// Largest accepted bulk file (`.warc[.gz]`, `.jsonl`/`.ndjson[.gz]`, `.tar[.gz]`, `.tgz`,
    /// `.zip`) in bytes; 0: unlimited (they are read as streams, never whole).
    pub max_bulk_file_bytes: u64,
    /// Articles of one bulk file published and not yet acknowledged at a time: publishing a
    /// huge WARC is paced by the stream's acks.
    pub bulk_in_flight: usize,
    /// Articles the pipeline may hold before the watcher waits: the messages waiting at, or
    /// being worked on by, the stage consumers (pending + ack pending, summed), asked every
    /// 0.5 s. A huge WARC or a flood of files then goes into the stream at the workers' pace,
    /// not the broker's; at ~100 articles/s, 1,000 is 10 s of work in hand (of 190 KB pages,
    /// 1,000 held nats-server at 1.3 GiB, 10,000 let it reach 3.3 GiB). 0: no limit (paced by
    /// the stream's acks only).
    pub max_backlog: u64,
    /// Seconds between full rescans of the inbox (they catch anything an event missed).
    pub rescan_secs: u64,
    /// A file found by a rescan is taken only when unmodified for this many milliseconds.
    pub settle_ms: u64,
    /// Files read and published at the same time (bounds memory and file handles).
    pub max_in_flight: usize,
    /// Milliseconds between writes of the watcher's local state while there is news (appended
    /// and fsynced off the event loop).
    pub checkpoint_interval_ms: u64,
    /// Seconds a published article's content id is remembered in the key-value bucket shared by
    /// every watcher of the stream (`<prefix>_watch_dedup`): the same bytes dropped again
    /// within it are not published again. Beyond it, only `nats.duplicate_window_secs` guards.
    /// Read when the bucket is created; change it on an existing bucket with the nats tools.
    pub dedup_window_secs: u64,
    /// What happens to a file once its publish is acknowledged: `keep` (leave it in the inbox),
    /// `delete`, or `move` (to `done/` at the top of the inbox, keeping its relative path).
    /// Duplicates of published content are treated the same way. `done/` and `rejected/` at the
    /// top of the inbox are never read.
    #[schemars(with = "String")]
    pub after_publish: AfterPublish,
    /// With `after_publish = "move"`: move into a dated subfolder, `done/YYYY-MM-DD/` (UTC).
    pub done_dated: bool,
    /// Move files that get an error record to `rejected/` at the top of the inbox, each with a
    /// `<name>.error.json` sidecar naming the error record's id, kind and message.
    pub move_rejected: bool,
}

/// What the watcher does with a file once it is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AfterPublish {
    /// Leave it in the inbox.
    #[default]
    Keep,
    /// Delete it.
    Delete,
    /// Move it to `done/`.
    Move,
}

impl Default for WatchConfig {
    fn default() -> WatchConfig {
        WatchConfig {
            inbox: PathBuf::from("inbox"),
            max_file_bytes: 16 * 1024 * 1024,
            max_bulk_file_bytes: 0,
            bulk_in_flight: 256,
            max_backlog: 1_000,
            rescan_secs: 30,
            settle_ms: 1000,
            max_in_flight: 64,
            checkpoint_interval_ms: 500,
            dedup_window_secs: 7 * 24 * 3600,
            after_publish: AfterPublish::Keep,
            done_dated: false,
            move_rejected: false,
        }
    }
}

/// The stage workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WorkersConfig {
    /// Articles processed at once per stage and process.
    pub concurrency: usize,
    /// Messages asked for per pull request (100+ avoids the small-batch stalls seen in tests).
    pub batch: usize,
    /// Expiry of a pull request in milliseconds.
    pub pull_expires_ms: u64,
    /// Deliveries of one message before it goes to the error subject.
    pub max_deliver: i64,
    /// Seconds the server waits for an ack before redelivering.
    pub ack_wait_secs: u64,
    /// Unacknowledged messages the server allows per stage consumer.
    pub max_ack_pending: i64,
    /// First retry delay in milliseconds (doubles per attempt).
    pub retry_backoff_ms: u64,
    /// Seconds an article's story fingerprint stays in the shared story log
    /// (`<prefix>.stories`): a later article joins its story, or is marked its duplicate, only
    /// within this window, and only among the last 50,000 articles of it (what each worker
    /// keeps in memory; deciding an article's story takes about 0.6 ms at 50,000, see
    /// BENCHMARKS.md). Read when the story stream is created or updated (every extract
    /// worker's start).
    pub story_window_secs: u64,
    /// A worker set that runs all three stages (`newsflow up`, `newsflow worker --stage all`)
    /// runs them one after another in this process for each article: one consume of
    /// `<prefix>.articles.raw`, one publish to `<prefix>.results.<topic>`, nothing stored on
    /// `articles.clean` or `articles.classified` (two stream hops fewer per article). `false`:
    /// every stage consumes and publishes on its own subject, as workers started with
    /// `--stage` always do (both kinds can share one NATS).
    pub fused: bool,
}

impl Default for WorkersConfig {
    fn default() -> WorkersConfig {
        WorkersConfig {
            concurrency: 4,
            batch: 128,
            pull_expires_ms: 5000,
            max_deliver: 5,
            ack_wait_secs: 30,
            max_ack_pending: 20_000,
            retry_backoff_ms: 500,
            story_window_secs: 48 * 3600,
            fused: true,
        }
    }
}

/// Topic models and routing rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClassifyConfig {
    /// The model that decides `topic` and the `results.<topic>` subject.
    pub primary: String,
    /// Other models whose labels go under `topics`.
    pub secondary: Vec<String>,
    /// Keyword rules that add labels under `topics`.
    pub rules: Vec<RuleConfig>,
}

impl Default for ClassifyConfig {
    fn default() -> ClassifyConfig {
        ClassifyConfig {
            primary: "ag_news".to_string(),
            secondary: vec!["bbc".to_string()],
            rules: Vec::new(),
        }
    }
}

/// The HTTP endpoint of `newsflow up`: dashboard, `/metrics`, `/healthz`, `/readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Address `newsflow up` serves on (empty: no HTTP). Loopback by default: expose it
    /// deliberately. `newsflow worker` and `newsflow watch` serve only with `--http ADDR`.
    pub listen: String,
    /// Serve the web dashboard at `/` (metrics and health are always served).
    pub dashboard: bool,
    /// Latest results and errors the dashboard keeps in memory.
    pub recent: usize,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            listen: "127.0.0.1:8421".to_string(),
            dashboard: true,
            recent: 100,
        }
    }
}

/// A routing rule: an article whose title or body contains any of the phrases gets the label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Name of the rule (shown as the `model` of the label it adds).
    pub name: String,
    /// Label to add.
    pub label: String,
    /// Phrases, matched case-insensitively on word boundaries.
    pub any: Vec<String>,
    /// Least number of matches needed (default 1).
    #[serde(default = "one")]
    pub min_matches: usize,
}

fn one() -> usize {
    1
}

/// What is wrong with a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config is not valid toml: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("invalid value for {field}: {reason}")]
    Invalid { field: String, reason: String },
}

impl Config {
    /// Parses a config file's text (missing fields take their defaults).
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)?;
        Ok(config)
    }

    /// Applies `NEWSFLOW_*` overrides from the given environment.
    pub fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<(), ConfigError> {
        for (key, value) in env {
            let Some(name) = key.strip_prefix("NEWSFLOW_") else {
                continue;
            };
            match name {
                "NATS_URL" => self.nats.url = value.clone(),
                "PREFIX" => self.nats.prefix = value.clone(),
                "INBOX" => self.watch.inbox = PathBuf::from(value),
                "STATE_DIR" => self.state_dir = PathBuf::from(value),
                "MODELS_DIR" => self.models_dir = PathBuf::from(value),
                "NATS_CREDS" => self.nats.credentials_file = Some(PathBuf::from(value)),
                "NATS_USER" => self.nats.user = Some(value.clone()),
                "NATS_PASSWORD" => self.nats.password = Some(value.clone()),
                "NATS_TOKEN" => self.nats.token = Some(value.clone()),
                "REPLICAS" => self.nats.replicas = parse_number(key, value)?,
                "CONCURRENCY" => self.workers.concurrency = parse_number(key, value)?,
                "FUSED" => self.workers.fused = parse_bool(key, value)?,
                "MAX_FILE_BYTES" => self.watch.max_file_bytes = parse_number(key, value)?,
                "HTTP" => self.http.listen = value.clone(),
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks values that parse but cannot work; returns every problem found.
    pub fn problems(&self) -> Vec<ConfigError> {
        let mut problems = Vec::new();
        let mut invalid = |field: &str, reason: &str| {
            problems.push(ConfigError::Invalid {
                field: field.to_string(),
                reason: reason.to_string(),
            })
        };
        if self.version != CONFIG_VERSION {
            invalid("version", "this build reads version 1 only");
        }
        let prefix_ok = !self.nats.prefix.is_empty()
            && self
                .nats
                .prefix
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
        if !prefix_ok {
            invalid(
                "nats.prefix",
                "must be one subject token of letters, digits, '_' or '-'",
            );
        }
        if self.nats.replicas == 0 || self.nats.replicas > 5 {
            invalid("nats.replicas", "must be between 1 and 5");
        }
        if self.nats.duplicate_window_secs == 0 {
            invalid("nats.duplicate_window_secs", "must be at least 1");
        }
        if self.nats.user.is_some() != self.nats.password.is_some() {
            invalid("nats.user", "user and password go together");
        }
        let ways_to_authenticate = [
            self.nats.credentials_file.is_some(),
            self.nats.nkey_file.is_some(),
            self.nats.user.is_some() || self.nats.password.is_some(),
            self.nats.token.is_some(),
        ];
        if ways_to_authenticate.iter().filter(|set| **set).count() > 1 {
            invalid(
                "nats",
                "set only one of credentials_file, nkey_file, user and password, or token",
            );
        }
        if self.nats.tls_cert_file.is_some() != self.nats.tls_key_file.is_some() {
            invalid(
                "nats.tls_cert_file",
                "tls_cert_file and tls_key_file go together",
            );
        }
        if self.watch.max_file_bytes == 0 {
            invalid("watch.max_file_bytes", "must be at least 1");
        }
        if self.watch.dedup_window_secs == 0 {
            invalid("watch.dedup_window_secs", "must be at least 1");
        }
        if self.watch.done_dated && self.watch.after_publish != AfterPublish::Move {
            invalid(
                "watch.done_dated",
                "only applies with after_publish = \"move\"",
            );
        }
        if self.watch.bulk_in_flight == 0 {
            invalid("watch.bulk_in_flight", "must be at least 1");
        }
        if self.watch.max_in_flight == 0 {
            invalid("watch.max_in_flight", "must be at least 1");
        }
        if self.workers.concurrency == 0 {
            invalid("workers.concurrency", "must be at least 1");
        }
        if self.workers.batch == 0 {
            invalid("workers.batch", "must be at least 1");
        }
        if self.workers.max_deliver < 1 {
            invalid("workers.max_deliver", "must be at least 1");
        }
        if self.workers.story_window_secs == 0 {
            invalid("workers.story_window_secs", "must be at least 1");
        }
        if self.workers.max_ack_pending < (self.workers.batch as i64) {
            invalid("workers.max_ack_pending", "must be at least workers.batch");
        }
        if self.classify.primary.is_empty() {
            invalid("classify.primary", "name a topic model");
        }
        if !self.http.listen.is_empty() && self.http.listen.parse::<std::net::SocketAddr>().is_err()
        {
            invalid(
                "http.listen",
                "must be an address like 127.0.0.1:8421 (or empty)",
            );
        }
        if self.http.recent == 0 {
            invalid("http.recent", "must be at least 1");
        }
        for rule in &self.classify.rules {
            if rule.any.is_empty() {
                invalid("classify.rules.any", "a rule needs at least one phrase");
            }
        }
        problems
    }
}

/// A NATS URL list fit to print: credentials in a URL (`nats://user:password@host`,
/// `nats://token@host`) are replaced by `***`.
pub fn redact_url(urls: &str) -> String {
    urls.split(',')
        .map(|url| {
            let start = url.find("://").map(|at| at + 3).unwrap_or(0);
            let authority_end = url[start..]
                .find(['/', '?', '#'])
                .map(|at| start + at)
                .unwrap_or(url.len());
            match url[start..authority_end].rfind('@') {
                Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
                None => url.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ConfigError::Invalid {
            field: key.to_string(),
            reason: format!("'{value}' is not true or false"),
        }),
    }
}

fn parse_number<T: std::str::FromStr>(key: &str, value: &str) -> Result<T, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Invalid {
        field: key.to_string(),
        reason: format!("'{value}' is not a number"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_round_trips_and_is_valid() {
        let config = Config::default();
        let text = toml::to_string(&config).unwrap();
        assert_eq!(Config::from_toml(&text).unwrap(), config);
        assert!(config.problems().is_empty());
    }

    #[test]
    fn shipped_config_file_parses_and_is_valid() {
        let text = include_str!("../../../config/newsflow.toml");
        let config = Config::from_toml(text).unwrap();
        assert!(config.problems().is_empty(), "{:?}", config.problems());
    }

    #[test]
    fn after_publish_modes_parse() {
        let config = Config::from_toml(
            "[watch]\nafter_publish = \"move\"\ndone_dated = true\nmove_rejected = true\n",
        )
        .unwrap();
        assert_eq!(config.watch.after_publish, AfterPublish::Move);
        assert!(config.problems().is_empty());
        assert!(Config::from_toml("[watch]\nafter_publish = \"archive\"\n").is_err());
        let dated_without_move = Config::from_toml("[watch]\ndone_dated = true\n").unwrap();
        assert_eq!(dated_without_move.problems().len(), 1);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = Config::from_toml("[nats]\nurll = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("urll"), "{err}");
    }

    #[test]
    fn env_overrides_file_values() {
        let mut config = Config::from_toml("[nats]\nurl = \"nats://a:4222\"\n").unwrap();
        let env = BTreeMap::from([
            ("NEWSFLOW_NATS_URL".to_string(), "nats://b:4222".to_string()),
            ("NEWSFLOW_CONCURRENCY".to_string(), "7".to_string()),
            ("OTHER".to_string(), "x".to_string()),
        ]);
        config.apply_env(&env).unwrap();
        assert_eq!(config.nats.url, "nats://b:4222");
        assert_eq!(config.workers.concurrency, 7);
        let bad = BTreeMap::from([("NEWSFLOW_CONCURRENCY".to_string(), "x".to_string())]);
        assert!(config.apply_env(&bad).is_err());
        assert!(config.workers.fused);
        let separate = BTreeMap::from([("NEWSFLOW_FUSED".to_string(), "false".to_string())]);
        config.apply_env(&separate).unwrap();
        assert!(!config.workers.fused);
        let bad = BTreeMap::from([("NEWSFLOW_FUSED".to_string(), "maybe".to_string())]);
        assert!(config.apply_env(&bad).is_err());
    }

    #[test]
    fn readme_embeds_the_current_reference() {
        let readme = include_str!("../../../README.md");
        let start = "<!-- config-reference:start (newsflow config reference) -->\n";
        let end = "<!-- config-reference:end -->";
        let from = readme.find(start).expect("README has the start marker") + start.len();
        let to = readme.find(end).expect("README has the end marker");
        assert!(
            readme[from..to] == reference_markdown(),
            "README's configuration reference is stale: paste in `newsflow config reference`"
        );
    }

    #[test]
    fn credentials_in_urls_are_redacted() {
        assert_eq!(
            redact_url("nats://newsflow:pw@127.0.0.1:4222, tls://tok@b:4222,nats://c:4222"),
            "nats://***@127.0.0.1:4222, tls://***@b:4222,nats://c:4222"
        );
        assert_eq!(redact_url("u:p@host:4222"), "***@host:4222");
        assert_eq!(redact_url(""), "");
    }

    #[test]
    fn one_way_to_authenticate_and_whole_client_certificates() {
        let mut config = Config::default();
        config.nats.token = Some("t".to_string());
        config.nats.nkey_file = Some(PathBuf::from("user.nk"));
        config.nats.tls_cert_file = Some(PathBuf::from("client.pem"));
        let problems: Vec<String> = config.problems().iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("set only one of"), "{problems:?}");
        assert!(problems[1].contains("tls_key_file"), "{problems:?}");
    }

    #[test]
    fn problems_are_explained() {
        let mut config = Config::default();
        config.nats.prefix = "a.b".to_string();
        config.workers.concurrency = 0;
        let problems = config.problems();
        assert_eq!(problems.len(), 2);
        assert!(problems[0].to_string().contains("nats.prefix"));
    }
}

/// The `NEWSFLOW_*` environment variables `apply_env` reads, with the option each overrides.
pub const ENV_OVERRIDES: &[(&str, &str)] = &[
    ("NEWSFLOW_NATS_URL", "nats.url"),
    ("NEWSFLOW_PREFIX", "nats.prefix"),
    ("NEWSFLOW_REPLICAS", "nats.replicas"),
    ("NEWSFLOW_NATS_CREDS", "nats.credentials_file"),
    ("NEWSFLOW_NATS_USER", "nats.user"),
    ("NEWSFLOW_NATS_PASSWORD", "nats.password"),
    ("NEWSFLOW_NATS_TOKEN", "nats.token"),
    ("NEWSFLOW_INBOX", "watch.inbox"),
    ("NEWSFLOW_MAX_FILE_BYTES", "watch.max_file_bytes"),
    ("NEWSFLOW_CONCURRENCY", "workers.concurrency"),
    ("NEWSFLOW_FUSED", "workers.fused"),
    ("NEWSFLOW_STATE_DIR", "state_dir"),
    ("NEWSFLOW_MODELS_DIR", "models_dir"),
    ("NEWSFLOW_HTTP", "http.listen"),
];

/// The configuration reference as Markdown, generated from the doc comments of the config
/// types and the defaults of `Config::default()` (the README embeds it; a test keeps them equal).
pub fn reference_markdown() -> String {
    use serde_json::Value;
    let schema = schemars::schema_for!(Config);
    let schema = schema.as_value();
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let defaults = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
    let resolve = |value: &Value| -> Option<Value> {
        let reference = value
            .get("$ref")
            .or_else(|| value.get("items").and_then(|items| items.get("$ref")))?;
        let name = reference.as_str()?.rsplit('/').next()?;
        defs.get(name).cloned()
    };
    let description = |value: &Value| -> String {
        value
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('|', "\\|")
    };
    let env_of = |path: &str| -> String {
        ENV_OVERRIDES
            .iter()
            .filter(|(_, option)| *option == path)
            .map(|(env, _)| format!("`{env}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let shown = |value: Option<&Value>| -> String {
        match value {
            None | Some(Value::Null) => "unset".to_string(),
            Some(Value::String(text)) if text.is_empty() => "`\"\"`".to_string(),
            Some(value) => format!("`{value}`"),
        }
    };
    let table = |out: &mut String,
                 section: &str,
                 props: &serde_json::Map<String, Value>,
                 defaults: Option<&Value>| {
        out.push_str("| option | default | env | meaning |\n| --- | --- | --- | --- |\n");
        for (name, prop) in props {
            if resolve(prop).is_some() {
                continue;
            }
            let path = if section.is_empty() {
                name.clone()
            } else {
                format!("{section}.{name}")
            };
            let default = shown(defaults.and_then(|d| d.get(name)));
            out.push_str(&format!(
                "| `{path}` | {default} | {} | {} |\n",
                env_of(&path),
                description(prop)
            ));
        }
    };
    let mut out = String::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    out.push_str("#### Top level\n\n");
    table(&mut out, "", props, Some(&defaults));
    for (name, prop) in props {
        let Some(def) = resolve(prop) else { continue };
        let is_list =
            prop.get("items").is_some() || prop.get("type") == Some(&Value::from("array"));
        let header = if is_list {
            format!("[[{name}]]")
        } else {
            format!("[{name}]")
        };
        out.push_str(&format!("\n#### `{header}`\n\n{}\n\n", description(&def)));
        let Some(section_props) = def.get("properties").and_then(Value::as_object) else {
            continue;
        };
        table(&mut out, name, section_props, defaults.get(name));
        for (sub, sub_prop) in section_props {
            let Some(sub_def) = resolve(sub_prop) else {
                continue;
            };
            out.push_str(&format!(
                "\n#### `[[{name}.{sub}]]`\n\n{} {}\n\n",
                description(sub_prop),
                description(&sub_def)
            ));
            if let Some(sub_props) = sub_def.get("properties").and_then(Value::as_object) {
                table(&mut out, &format!("{name}.{sub}"), sub_props, None);
            }
        }
    }
    out
}

#[cfg(test)]
mod reference_tests {
    use super::*;

    #[test]
    fn every_env_override_is_applied() {
        for (env, option) in ENV_OVERRIDES {
            let mut config = Config::default();
            let value = if option.contains("replicas") || option.contains("concurrency") {
                "3"
            } else if option.contains("bytes") {
                "12345"
            } else if option.contains("fused") {
                "false"
            } else {
                "127.0.0.1:9999"
            };
            config
                .apply_env(&BTreeMap::from([(env.to_string(), value.to_string())]))
                .unwrap();
            assert_ne!(config, Config::default(), "{env} changed nothing");
        }
    }

    #[test]
    fn reference_documents_every_option_with_its_default() {
        let reference = reference_markdown();
        for needle in [
            "| `nats.url` | `\"\"` | `NEWSFLOW_NATS_URL` | Server URL(s), comma separated.",
            "| `workers.max_deliver` | `5` |",
            "| `http.listen` | `\"127.0.0.1:8421\"` | `NEWSFLOW_HTTP` |",
            "#### `[[classify.rules]]`",
            "| `classify.rules.label` |",
            "| `state_dir` | `\".newsflow\"` | `NEWSFLOW_STATE_DIR` |",
        ] {
            assert!(
                reference.contains(needle),
                "missing {needle:?} in\n{reference}"
            );
        }
        let undocumented: Vec<&str> = reference
            .lines()
            .filter(|line| line.starts_with("| `") && line.ends_with("|  |"))
            .collect();
        assert!(
            undocumented.is_empty(),
            "options without doc comments: {undocumented:?}"
        );
    }
}
