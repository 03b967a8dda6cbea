//! The HTTP endpoint: the dashboard (`/`, `/api/state`), Prometheus metrics (`/metrics`),
//! liveness (`/healthz`) and readiness (`/readyz`: the NATS connection is up).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio_util::sync::CancellationToken;

use crate::observe::Observer;

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
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard))
        .route("/api/state", get(api_state))
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .with_state(state)
}

async fn dashboard(State(state): State<AppState>) -> Response {
    if state.dashboard {
        Html(DASHBOARD).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            "dashboard disabled (http.dashboard = false)\n",
        )
            .into_response()
    }
}

async fn api_state(State(state): State<AppState>) -> Response {
    if !state.dashboard {
        return (StatusCode::NOT_FOUND, "dashboard disabled\n").into_response();
    }
    let observer = state.observer.clone();
    Json(observer.snapshot()).into_response()
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
