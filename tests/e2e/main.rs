//! End-to-end tests: the real `newsflow` binary against a real `nats-server` (started on a free
//! port with a temp store, never a mock). One test binary, one module per area.

mod harness;
// headless Chromium over the DevTools protocol, for the dashboard
mod browser;

// seeds in, records out, routed by topic, matching the schema
mod pipeline;
// duplicates, renames, bad files, restarts of the watcher
mod watcher;
// the watcher over the years: scoped state, shared dedup, delete/move after the ack, kill -9
mod lifecycle;
// kill -9 of workers, broker restart, cluster node killed or cut off, stuck consumer:
// nothing lost, nothing doubled
mod faults;
// `newsflow process`, `config check` and the other commands without NATS
mod commands;
// dashboard in a real browser, metrics, health, status, errors, replay, export
mod operate;
// deploy/ files checked offline
mod deploy;
// the hostile-input corpus: one clear outcome per file
mod hostile;
// NATS credentials, never logged
mod security;
// WARC, JSON Lines and archives: one record per article, errors by position, kill -9 mid-WARC
mod bulk;
// signals with output closed or broken, the managed server's lifetime, scripts/demo.sh
mod daemon;
