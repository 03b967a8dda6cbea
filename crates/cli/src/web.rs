//! The HTTP endpoint: the dashboard (`/`, one page with no outside assets), its state as JSON
//! (`/api/state`) and pushed as server-sent events (`/api/events`), the whole record of a recent
//! result (`/api/records/ID`), Prometheus metrics (`/metrics`), liveness (`/healthz`) and
//! readiness (`/readyz`: the NATS connection is up).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio_util::sync::CancellationToken;

use crate::observe::{Observer, ResultFilter};

const DASHBOARD: &str = include_str!("../assets/dashboard.html");

/// Latency buckets (seconds) of every `*_seconds` histogram.
const BUCKETS: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0,
];

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide metrics recorder (once) and returns its handle.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_string()), BUCKETS)
                .ok()?;
            match builder.install_recorder() {
                Ok(handle) => {
                    describe_metrics();
                    Some(handle)
                }
                Err(err) => {
                    tracing::warn!(error = %err, "metrics recorder not installed");
                    None
                }
            }
        })
        .clone()
}

/// `# HELP` lines of the stage and broker metrics (the watcher's are described where they are
/// set, in `observe`).
fn describe_metrics() {
    use metrics::Unit;
    metrics::describe_counter!(
        "newsflow_stage_messages_total",
        "articles a stage finished in this process, by stage and outcome (done, rejected, failed, \
         retried, dead-lettered)"
    );
    metrics::describe_histogram!(
        "newsflow_stage_seconds",
        Unit::Seconds,
        "time a stage spent on one article in this process"
    );
    metrics::describe_histogram!(
        "newsflow_drop_to_stage_seconds",
        Unit::Seconds,
        "time from the file's drop in the inbox to the end of this stage"
    );
    metrics::describe_gauge!(
        "newsflow_stage_in_flight",
        "articles a stage of this process is working on now"
    );
    metrics::describe_gauge!(
        "newsflow_consumer_pending",
        "messages of a stage's consumer not yet delivered to any worker (all workers)"
    );
    metrics::describe_gauge!(
        "newsflow_consumer_ack_pending",
        "messages of a stage's consumer delivered and not yet acknowledged (all workers)"
    );
    metrics::describe_gauge!(
        "newsflow_consumer_redelivered",
        "messages of a stage's consumer delivered more than once (all workers)"
    );
    metrics::describe_gauge!(
        "newsflow_error_records",
        "error records in the errors stream, by stage"
    );
    metrics::describe_gauge!(
        "newsflow_results_stored",
        "result records in the results stream"
    );
}

#[derive(Clone)]
struct AppState {
    observer: Arc<Observer>,
    metrics: Option<PrometheusHandle>,
    dashboard: bool,
    /// Ends the event streams, so a graceful shutdown does not wait on open dashboards.
    cancel: CancellationToken,
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard))
        .route("/api/state", get(api_state))
        .route("/api/events", get(api_events))
        .route("/api/records/{id}", get(api_record))
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .with_state(state)
}

async fn dashboard(State(state): State<AppState>) -> Response {
    if state.dashboard {
        Html(dashboard_page(&state.observer)).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            "dashboard disabled (http.dashboard = false)\n",
        )
            .into_response()
    }
}

/// The page with the state as it is now, so it shows it at once (the events keep it current).
fn dashboard_page(observer: &Observer) -> String {
    let state = serde_json::to_string(&observer.snapshot()).unwrap_or_else(|_| "null".into());
    DASHBOARD.replacen(STATE_PLACEHOLDER, &script_safe(&state), 1)
}

/// Where the page takes its first state: the content of a `<script type="application/json">`.
const STATE_PLACEHOLDER: &str = "/*initial state*/null";

/// JSON that cannot end the `<script>` element it sits in (titles and bodies are the inputs'
/// text: a `</script>` in one must stay text). The escapes are JSON string escapes, and these
/// characters never occur in JSON outside a string.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn dashboard_disabled() -> Response {
    (StatusCode::NOT_FOUND, "dashboard disabled\n").into_response()
}

async fn api_state(State(state): State<AppState>, Query(filter): Query<ResultFilter>) -> Response {
    if !state.dashboard {
        return dashboard_disabled();
    }
    Json(state.observer.snapshot_of(&filter)).into_response()
}

async fn api_record(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if !state.dashboard {
        return dashboard_disabled();
    }
    match state.observer.record(&id) {
        Some(record) => Json(&*record).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "no such record among the recent results (newsflow export has them all)\n",
        )
            .into_response(),
    }
}

/// Pushes below this interval are held back (a burst of results is one push, not hundreds).
const PUSH_MIN_INTERVAL: Duration = Duration::from_millis(250);
/// The state is looked at this often even without a change (rates and waiting move on).
const PUSH_CHECK_EVERY: Duration = Duration::from_secs(1);
/// An unchanged state is pushed again after this long (the uptime moves on).
const PUSH_UNCHANGED_EVERY: Duration = Duration::from_secs(15);

/// The state as server-sent events (`event: state`): at once, then whenever it changes.
async fn api_events(State(state): State<AppState>, Query(filter): Query<ResultFilter>) -> Response {
    if !state.dashboard {
        return dashboard_disabled();
    }
    let pushes = StatePushes {
        observer: state.observer.clone(),
        changes: state.observer.changes(),
        filter,
        cancel: state.cancel.clone(),
        last: None,
    };
    let events = futures::stream::unfold(pushes, |mut pushes| async move {
        let event = pushes.next().await?;
        Some((event, pushes))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// One dashboard's event stream.
struct StatePushes {
    observer: Arc<Observer>,
    changes: tokio::sync::watch::Receiver<u64>,
    filter: ResultFilter,
    cancel: CancellationToken,
    /// The last state pushed (without its uptime) and when.
    last: Option<(String, tokio::time::Instant)>,
}

impl StatePushes {
    /// The next state to push; `None` when the process stops.
    async fn next(&mut self) -> Option<Result<Event, axum::Error>> {
        loop {
            if let Some((_, at)) = &self.last {
                let hold_until = *at + PUSH_MIN_INTERVAL;
                tokio::select! {
                    _ = self.cancel.cancelled() => return None,
                    _ = tokio::time::sleep_until(hold_until) => {}
                }
                tokio::select! {
                    _ = self.cancel.cancelled() => return None,
                    _ = self.changes.changed() => {}
                    _ = tokio::time::sleep(PUSH_CHECK_EVERY) => {}
                }
            }
            self.changes.mark_unchanged();
            let mut snapshot = self.observer.snapshot_of(&self.filter);
            let uptime = snapshot.status.uptime_secs;
            snapshot.status.uptime_secs = 0;
            let key = match serde_json::to_string(&snapshot) {
                Ok(key) => key,
                Err(error) => return Some(Err(axum::Error::new(error))),
            };
            let now = tokio::time::Instant::now();
            if let Some((last, at)) = &self.last {
                if *last == key && now.duration_since(*at) < PUSH_UNCHANGED_EVERY {
                    continue;
                }
            }
            snapshot.status.uptime_secs = uptime;
            let event = Event::default().event("state").json_data(&snapshot);
            self.last = Some((key, now));
            return Some(event);
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed\n",
        )
            .into_response(),
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.observer.nats_connected() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "nats not connected\n").into_response()
    }
}

/// Binds `listen` and serves until cancelled; returns the bound address (port 0 picks one).
pub async fn serve(
    listen: &str,
    observer: Arc<Observer>,
    dashboard: bool,
    cancel: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("http address {listen:?} is not host:port"))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    if !bound.ip().is_loopback() {
        tracing::warn!(address = %bound, "http endpoint is reachable from other machines");
    }
    let metrics = metrics_handle();
    if let Some(handle) = metrics.clone() {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(5)) => handle.run_upkeep(),
                }
            }
        });
    }
    let app = router(AppState {
        observer,
        metrics,
        dashboard,
        cancel: cancel.clone(),
    });
    tokio::spawn(async move {
        let shutdown = async move { cancel.cancelled().await };
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %err, "http endpoint stopped");
        }
    });
    Ok(bound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::LocalStats;
    use newsflow_model::{Format, Record};

    #[test]
    fn the_page_carries_the_state_and_no_title_ends_its_script() {
        let observer = Observer::new(Arc::new(LocalStats::default()), 10);
        let title = "</script><script>alert(1)</script> & <b>more</b>";
        let mut record = Record::new(
            "abc".to_string(),
            "a.html".to_string(),
            "2026-01-01T00:00:00Z".to_string(),
            Format::Html,
        );
        record.title = Some(title.to_string());
        observer.add_result(&serde_json::to_vec(&record).unwrap());
        let page = dashboard_page(&observer);
        assert!(!page.contains(STATE_PLACEHOLDER), "state not embedded");
        assert!(!page.contains("<script>alert"), "a title ended the script");
        let open = "<script id=\"initial-state\" type=\"application/json\">";
        let start = page.find(open).expect("state script") + open.len();
        let end = start + page[start..].find("</script>").unwrap();
        let state: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(state["results"][0]["title"], title);
        assert_eq!(state["results"][0]["id"], "abc");
    }
}
