//! The subject and stream names: a contract that consumers and tests depend on.

use newsflow_model::{subject_token, Stage};

/// Subjects and stream names under one prefix (default `newsflow`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    prefix: String,
}

impl Subjects {
    pub fn new(prefix: &str) -> Subjects {
        Subjects {
            prefix: prefix.to_string(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `newsflow.articles.raw`: files as the watcher found them.
    pub fn raw(&self) -> String {
        format!("{}.articles.raw", self.prefix)
    }

    /// `newsflow.articles.clean`: records after the clean stage.
    pub fn clean(&self) -> String {
        format!("{}.articles.clean", self.prefix)
    }

    /// `newsflow.articles.classified`: records after the classify stage.
    pub fn classified(&self) -> String {
        format!("{}.articles.classified", self.prefix)
    }

    /// `newsflow.results.<topic>` for a primary topic label (`unknown` when there is none).
    pub fn result(&self, topic: Option<&str>) -> String {
        let token = topic
            .map(subject_token)
            .unwrap_or_else(|| "unknown".to_string());
        format!("{}.results.{token}", self.prefix)
    }

    /// `newsflow.results.>`: every finished record.
    pub fn all_results(&self) -> String {
        format!("{}.results.>", self.prefix)
    }

    /// `newsflow.errors.<stage>`.
    pub fn error(&self, stage: Stage) -> String {
        format!("{}.errors.{}", self.prefix, stage.as_str())
    }

    /// `newsflow.errors.>`.
    pub fn all_errors(&self) -> String {
        format!("{}.errors.>", self.prefix)
    }

    /// The subject a stage consumes.
    pub fn stage_input(&self, stage: Stage) -> Option<String> {
        match stage {
            Stage::Watch => None,
            Stage::Clean => Some(self.raw()),
            Stage::Classify => Some(self.clean()),
            Stage::Extract => Some(self.classified()),
        }
    }

    fn stream_base(&self) -> String {
        self.prefix.to_ascii_uppercase().replace('-', "_")
    }

    /// Stream holding `<prefix>.articles.>`.
    pub fn articles_stream(&self) -> String {
        format!("{}_ARTICLES", self.stream_base())
    }

    /// Stream holding `<prefix>.results.>`.
    pub fn results_stream(&self) -> String {
        format!("{}_RESULTS", self.stream_base())
    }

    /// Stream holding `<prefix>.errors.>`.
    pub fn errors_stream(&self) -> String {
        format!("{}_ERRORS", self.stream_base())
    }

    /// `newsflow.stories`: the shared story log (one entry per article, in log order).
    pub fn stories(&self) -> String {
        format!("{}.stories", self.prefix)
    }

    /// Stream holding `<prefix>.stories`, its age limit the story window.
    pub fn stories_stream(&self) -> String {
        format!("{}_STORIES", self.stream_base())
    }

    /// Object store for articles larger than the server's max payload.
    pub fn blob_bucket(&self) -> String {
        format!("{}_blobs", self.prefix.replace('-', "_"))
    }

    /// Key-value bucket of the content ids the watchers published (shared by all watchers).
    pub fn watch_dedup_bucket(&self) -> String {
        format!("{}_watch_dedup", self.prefix.replace('-', "_"))
    }

    /// Key-value bucket where each running watcher keeps its counters (for `newsflow status`).
    pub fn watch_stats_bucket(&self) -> String {
        format!("{}_watch_stats", self.prefix.replace('-', "_"))
    }

    /// Durable consumer name of a stage (shared by all its workers).
    pub fn durable(&self, stage: Stage) -> String {
        format!("{}-{}", self.prefix, stage.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_subjects() {
        let subjects = Subjects::new("newsflow");
        assert_eq!(subjects.raw(), "newsflow.articles.raw");
        assert_eq!(subjects.clean(), "newsflow.articles.clean");
        assert_eq!(subjects.classified(), "newsflow.articles.classified");
        assert_eq!(
            subjects.result(Some("Sci/Tech")),
            "newsflow.results.sci_tech"
        );
        assert_eq!(subjects.result(None), "newsflow.results.unknown");
        assert_eq!(subjects.all_results(), "newsflow.results.>");
        assert_eq!(subjects.error(Stage::Clean), "newsflow.errors.clean");
        assert_eq!(subjects.articles_stream(), "NEWSFLOW_ARTICLES");
        assert_eq!(subjects.stories(), "newsflow.stories");
        assert_eq!(subjects.stories_stream(), "NEWSFLOW_STORIES");
        assert_eq!(Subjects::new("news-a").stories_stream(), "NEWS_A_STORIES");
        assert_eq!(subjects.watch_dedup_bucket(), "newsflow_watch_dedup");
        assert_eq!(subjects.watch_stats_bucket(), "newsflow_watch_stats");
        assert_eq!(
            Subjects::new("news-a").watch_dedup_bucket(),
            "news_a_watch_dedup"
        );
    }
}
