//! Loading the configuration and the model files for the commands.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use newsflow_config::Config;
use newsflow_pipeline::ModelBytes;

/// The config file used when `--config` is not given (if it exists).
pub const DEFAULT_CONFIG: &str = "config/newsflow.toml";

/// Reads the config (file, then `NEWSFLOW_*` environment) and checks it.
pub fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let mut config = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config {}", path.display()))?;
            Config::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None if Path::new(DEFAULT_CONFIG).is_file() => {
            let text = std::fs::read_to_string(DEFAULT_CONFIG)?;
            Config::from_toml(&text).with_context(|| format!("in {DEFAULT_CONFIG}"))?
        }
        None => Config::default(),
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    config.apply_env(&env)?;
    let problems = config.problems();
    if let Some(first) = problems.first() {
        anyhow::bail!("config is not usable: {first} (run `newsflow config check`)");
    }
    Ok(config)
}

/// Where `newsflow up` writes the URL of its managed nats-server while it runs.
pub fn managed_url_file(config: &Config) -> PathBuf {
    config.state_dir.join("nats").join("url")
}

/// The NATS URL a client command (status, tail, errors, replay, export) talks to: `--nats`,
/// else the configured one (`NEWSFLOW_NATS_URL`), else that of the managed server of a
/// `newsflow up` running with the same `state_dir`.
pub fn client_nats_url(
    config: &mut Config,
    flag: Option<String>,
    command: &str,
) -> anyhow::Result<()> {
    if let Some(url) = flag {
        config.nats.url = url;
    }
    if config.nats.url.is_empty() {
        let file = managed_url_file(config);
        match std::fs::read_to_string(&file) {
            Ok(url) if !url.trim().is_empty() => {
                let url = url.trim().to_string();
                // A `newsflow up` killed without cleaning up leaves the file behind.
                let listening = url
                    .strip_prefix("nats://")
                    .and_then(|address| address.parse::<std::net::SocketAddr>().ok())
                    .is_some_and(|address| {
                        std::net::TcpStream::connect_timeout(&address, Duration::from_secs(2))
                            .is_ok()
                    });
                anyhow::ensure!(
                    listening,
                    "newsflow {command}: the `newsflow up` that wrote {} is gone (nothing \
                     listens at {url}); start it, or pass --nats URL",
                    file.display()
                );
                config.nats.url = url;
            }
            _ => anyhow::bail!(
                "newsflow {command} needs --nats URL (or NEWSFLOW_NATS_URL), or a running \
                 `newsflow up` with this config (none found: no {})",
                file.display()
            ),
        }
    }
    Ok(())
}

/// The models folder, found the same way by every command from any folder:
/// 1. `models_dir` as configured (config file, `NEWSFLOW_MODELS_DIR`) when it is absolute,
///    exists from here, or is not the default `config/models` (a folder named on purpose is
///    used as named, so that a wrong name shows as missing models);
/// 2. beside the binary: `<folder of newsflow>/models`, then `<folder>/../share/newsflow/models`
///    (an installed layout, as the Docker image and the systemd units have it);
/// 3. `config/models` of the source tree the binary was built from;
/// 4. else the configured folder: the optional models are then missing (with a warning), and
///    the clean models come from the binary.
pub fn models_dir(config: &Config) -> PathBuf {
    let configured = &config.models_dir;
    let is_default = configured == &Config::default().models_dir;
    if configured.is_absolute() || configured.is_dir() || !is_default {
        return configured.clone();
    }
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .map(|dir| vec![dir.join("models"), dir.join("../share/newsflow/models")])
        .unwrap_or_default();
    let source_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/models");
    beside_binary
        .into_iter()
        .chain(std::iter::once(source_tree))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| configured.clone())
}

/// Resolves a model name (`bbc`) or path to a file.
pub fn model_path(models_dir: &Path, name_or_path: &str) -> PathBuf {
    let as_path = Path::new(name_or_path);
    if as_path.is_file() {
        return as_path.to_path_buf();
    }
    models_dir.join(format!("{name_or_path}.model"))
}

fn read_optional(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(path = %path.display(), "model file missing, its fields stay empty");
            Ok(None)
        }
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The story anchor model in the models folder (`newsflow train anchors`).
pub const ANCHORS_FILE: &str = "anchors.model";

/// Reads the configured model files.
pub fn load_models(config: &Config) -> anyhow::Result<ModelBytes> {
    let dir = models_dir(config);
    let mut models = ModelBytes::default();
    let primary = &config.classify.primary;
    if let Some(bytes) = read_optional(&model_path(&dir, primary))? {
        models.primary_topic = Some((primary.clone(), bytes));
    }
    for name in &config.classify.secondary {
        if let Some(bytes) = read_optional(&model_path(&dir, name))? {
            models.secondary_topics.push((name.clone(), bytes));
        }
    }
    models.ner = read_optional(&dir.join(newsflow_ner::model_file_name("en")))?;
    for language in newsflow_ner::OTHER_LANGUAGES {
        let file = dir.join(newsflow_ner::model_file_name(language));
        if let Some(bytes) = read_optional(&file)? {
            models.ner_languages.push((language.to_string(), bytes));
        }
    }
    models.keywords = read_optional(&dir.join("keywords.model"))?;
    models.anchors = read_optional(&dir.join(ANCHORS_FILE))?;
    models.clean_lines = read_clean_model(&dir, newsflow_clean::LINE_MODEL_FILE)?;
    models.clean_words = read_clean_model(&dir, newsflow_clean::WORD_FREQS_FILE)?;
    Ok(models)
}

/// A clean model from the models folder; `None` (the one built into the binary) when the
/// folder has none.
fn read_clean_model(dir: &Path, file: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let path = dir.join(file);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            tracing::info!(path = %path.display(), "no clean model here, the one built into newsflow is used");
            Ok(None)
        }
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The clean stage with the models of the models folder (the built-in ones where it has none),
/// as the pipeline loads them: for the commands that run the clean stage alone (`eval clean`).
/// The config is `--config` (else the default file) with the `NEWSFLOW_*` environment.
pub fn cleaner(config_path: Option<&Path>) -> anyhow::Result<newsflow_clean::Cleaner> {
    let config = load_config(config_path)?;
    let dir = models_dir(&config);
    let lines = read_clean_model(&dir, newsflow_clean::LINE_MODEL_FILE)?;
    let words = read_clean_model(&dir, newsflow_clean::WORD_FREQS_FILE)?;
    newsflow_clean::Cleaner::with_models(
        Some(
            lines
                .as_deref()
                .unwrap_or(newsflow_clean::SHIPPED_LINE_MODEL),
        ),
        Some(
            words
                .as_deref()
                .unwrap_or(newsflow_clean::SHIPPED_WORD_FREQS),
        ),
    )
    .with_context(|| format!("loading the clean models of {}", dir.display()))
}

/// The configured routing rules in the classify crate's form.
pub fn rules(config: &Config) -> Vec<newsflow_classify::Rule> {
    config
        .classify
        .rules
        .iter()
        .map(|rule| newsflow_classify::Rule {
            name: rule.name.clone(),
            label: rule.label.clone(),
            any: rule.any.clone(),
            min_matches: rule.min_matches,
        })
        .collect()
}

/// Builds the pipeline from the configured models.
pub fn pipeline(config: &Config) -> anyhow::Result<newsflow_pipeline::Pipeline> {
    let models = load_models(config)?;
    newsflow_pipeline::Pipeline::new(&models, rules(config))
        .with_context(|| format!("loading the models of {}", models_dir(config).display()))
}
