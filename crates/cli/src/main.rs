//! `newsflow`: the command line over the newsflow crates. The only place that touches signals,
//! the process environment and `anyhow`.

mod bench;
mod cmd;
mod export;
mod handlers;
mod logs;
mod observe;
mod ops;
mod process;
mod progress;
mod run;
mod settings;
mod status;
mod stories;
mod tail;
mod web;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "newsflow",
    version,
    about = "streaming news ingest: folder -> NATS JetStream -> clean / classify / extract -> results"
)]
struct Cli {
    /// Config file (default: config/newsflow.toml when it exists, else built-in defaults).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Watcher and all stage workers in one process; starts a local nats-server unless --nats.
    Up(run::UpArgs),
    /// Only the watcher: publish files dropped into the inbox.
    Watch(run::WatchArgs),
    /// Only stage workers (start more of them, anywhere, to scale out).
    Worker(run::WorkerArgs),
    /// Run the stages on files or folders without NATS; one JSON record per file on stdout.
    Process(process::ProcessArgs),
    /// Print records from the results (or errors) subjects as JSON lines.
    Tail(tail::TailArgs),
    /// Measure end-to-end throughput and latency beside the bare-broker relay rate.
    Bench(bench::BenchArgs),
    /// Streams, stage consumers (pending, in flight, redelivered) and error counts.
    Status(status::StatusArgs),
    /// Error records: list, show, retry after a fix.
    Errors(ops::ErrorsArgs),
    /// Re-run stages over the stored stream (e.g. after retraining a model).
    Replay(ops::ReplayArgs),
    /// Stored results as JSON lines or Parquet (newest version of each article).
    Export(export::ExportArgs),
    /// Topic of each JSONL `{"id","text"}` line: writes `{"id","label","score"}` in input order.
    Classify(cmd::topic::ClassifyArgs),
    /// Tag a CoNLL file: every line back with the predicted IOB2 tag as a new last column.
    Ner(cmd::ner::NerArgs),
    /// Train a model from labelled data into config/models/.
    Train {
        #[command(subcommand)]
        command: TrainCommand,
    },
    /// Measure a stage's quality on the shared data.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum TrainCommand {
    /// A topic model (BBC folders or tar.gz, AG News CSV, or JSONL `{"text","label"}`).
    Topic(cmd::topic::TrainTopicArgs),
    /// The named-entity recognizer (CoNLL-2003 format).
    Ner(cmd::ner::TrainNerArgs),
    /// Brown word clusters of the shared unlabelled English text (an optional feature group
    /// of `train ner --brown`).
    Clusters(cmd::ner::TrainClustersArgs),
    /// Background term statistics for keywords.
    Keywords(cmd::extract::TrainKeywordsArgs),
    /// Story anchors: place names in many languages and anchor frequencies (stories across
    /// languages).
    Anchors(cmd::anchors::TrainAnchorsArgs),
    /// The line model of the scraped-text path and the word frequencies of word repair.
    Clean(cmd::clean_eval::TrainCleanArgs),
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Topic accuracy on dev splits of the shared corpora.
    Topic(cmd::topic::EvalTopicArgs),
    /// NER precision, recall and F1 (conlleval) on a CoNLL file.
    Ner(cmd::ner::EvalNerArgs),
    /// Same-story pair precision and recall.
    Stories(cmd::extract::EvalStoriesArgs),
    /// Keyword and summary proxies per language on the held-out news pages.
    Keywords(cmd::extract::EvalKeywordsArgs),
    /// Article-body F1 (HTML path and text path) on the extraction benchmark.
    Clean(cmd::clean_eval::EvalCleanArgs),
    /// Title, published date, authors, outlet and language per source and per language on
    /// news-pages, beside an anchor tool's output.
    Meta(cmd::meta_eval::EvalMetaArgs),
    /// Quote precision, recall and speaker accuracy per language on the hand-checked set.
    Quotes(cmd::quote_eval::EvalQuotesArgs),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Explain what is wrong with a config file (default: config/newsflow.toml).
    Check { file: Option<PathBuf> },
    /// Print the built-in default config.
    Default,
    /// Print the configuration reference (Markdown, from the config's doc comments).
    Reference,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,async_nats=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        // Lines go through a queue and are dropped when stderr is gone: logging never blocks,
        // fails or panics (tracing's own report of a failed write is a panicking eprintln!).
        .with_writer(logs::LogWriter)
        .log_internal_errors(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let config_path = cli.config.clone();
    // Live bars only for a person at a terminal; log shippers get plain lines.
    let interactive = matches!(cli.log_format, LogFormat::Text)
        && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let result = match cli.command {
        Command::Up(args) => run::up(config_path.as_deref(), args, interactive),
        Command::Watch(args) => run::watch(config_path.as_deref(), args, interactive),
        Command::Worker(args) => run::worker(config_path.as_deref(), args, interactive),
        Command::Process(args) => process::run(config_path.as_deref(), args),
        Command::Tail(args) => tail::run(config_path.as_deref(), args),
        Command::Status(args) => status::run(config_path.as_deref(), args),
        Command::Errors(args) => ops::errors(config_path.as_deref(), args),
        Command::Replay(args) => ops::replay(config_path.as_deref(), args),
        Command::Export(args) => export::run(config_path.as_deref(), args),
        Command::Bench(args) => bench::run(config_path.as_deref(), args),
        Command::Classify(args) => cmd::topic::run_classify(config_path.as_deref(), &args),
        Command::Ner(args) => cmd::ner::run_ner(config_path.as_deref(), &args),
        Command::Train { command } => match command {
            TrainCommand::Topic(args) => cmd::topic::run_train_topic(&args),
            TrainCommand::Ner(args) => cmd::ner::run_train_ner(&args),
            TrainCommand::Clusters(args) => cmd::ner::run_train_clusters(&args),
            TrainCommand::Keywords(args) => cmd::extract::run_train_keywords(&args),
            TrainCommand::Anchors(args) => cmd::anchors::run_train_anchors(&args),
            TrainCommand::Clean(args) => cmd::clean_eval::run_train_clean(&args),
        },
        Command::Eval { command } => match command {
            EvalCommand::Topic(args) => cmd::topic::run_eval_topic(&args),
            EvalCommand::Ner(args) => cmd::ner::run_eval_ner(config_path.as_deref(), &args),
            EvalCommand::Stories(args) => {
                cmd::extract::run_eval_stories(config_path.as_deref(), &args)
            }
            EvalCommand::Keywords(args) => {
                cmd::extract::run_eval_keywords(config_path.as_deref(), &args)
            }
            EvalCommand::Clean(args) => {
                cmd::clean_eval::run_eval_clean(config_path.as_deref(), &args)
            }
            EvalCommand::Meta(args) => cmd::meta_eval::run_eval_meta(&args),
            EvalCommand::Quotes(args) => {
                cmd::quote_eval::run_eval_quotes(config_path.as_deref(), &args)
            }
        },
        Command::Config { command } => match command {
            ConfigCommand::Check { file } => config_check(file.or(config_path)),
            ConfigCommand::Reference => {
                print!("{}", newsflow_config::reference_markdown());
                Ok(())
            }
            ConfigCommand::Default => {
                print!(
                    "{}",
                    toml::to_string(&newsflow_config::Config::default()).unwrap_or_default()
                );
                Ok(())
            }
        },
    };
    let code = match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // Not eprintln!: it panics when stderr is a pipe whose reader is gone.
            logs::eprint_line(&format!("newsflow: {err:#}"));
            std::process::ExitCode::from(2)
        }
    };
    // Bounded: a stderr nobody reads must not keep the process alive.
    logs::flush(std::time::Duration::from_secs(2));
    code
}

fn config_check(file: Option<PathBuf>) -> anyhow::Result<()> {
    let path = file.unwrap_or_else(|| PathBuf::from(settings::DEFAULT_CONFIG));
    let text = std::fs::read_to_string(&path)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?;
    let mut config = match newsflow_config::Config::from_toml(&text) {
        Ok(config) => config,
        Err(err) => anyhow::bail!("{} is not valid: {err}", path.display()),
    };
    let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    config.apply_env(&env)?;
    let problems = config.problems();
    if problems.is_empty() {
        println!("{}: ok", path.display());
        let nats = if config.nats.url.is_empty() {
            "managed local nats-server".to_string()
        } else {
            newsflow_config::redact_url(&config.nats.url)
        };
        println!(
            "  nats: {nats}, prefix {}, replicas {}",
            config.nats.prefix, config.nats.replicas
        );
        println!("  nats auth: {}", nats_auth(&config.nats));
        println!("  inbox: {}", config.watch.inbox.display());
        println!("  primary topic model: {}", config.classify.primary);
        Ok(())
    } else {
        for problem in &problems {
            println!("{}: {problem}", path.display());
        }
        anyhow::bail!("{} problem(s) in {}", problems.len(), path.display())
    }
}

/// How `config check` describes the NATS credentials and TLS settings: which, never their values.
fn nats_auth(nats: &newsflow_config::NatsConfig) -> String {
    let mut parts = Vec::new();
    if let Some(path) = &nats.credentials_file {
        parts.push(format!("credentials file {}", path.display()));
    }
    if let Some(path) = &nats.nkey_file {
        parts.push(format!("nkey seed file {}", path.display()));
    }
    if let Some(user) = &nats.user {
        parts.push(format!("user {user} with a password"));
    }
    if nats.token.is_some() {
        parts.push("a token".to_string());
    }
    if nats.tls_required {
        parts.push("TLS required".to_string());
    }
    if let Some(path) = &nats.tls_ca_file {
        parts.push(format!("TLS CA {}", path.display()));
    }
    if let Some(path) = &nats.tls_cert_file {
        parts.push(format!("client certificate {}", path.display()));
    }
    if parts.is_empty() {
        parts.push("none".to_string());
    }
    parts.join(", ")
}
