//! kill -9 of stage workers mid-stream: every article ends as exactly one record.

use std::time::Duration;

use crate::harness::{article, counts_by_id, errors, results, Broker, Workspace};

#[tokio::test(flavor = "multi_thread")]
async fn killed_workers_lose_nothing_and_double_nothing() {
    const ARTICLES: usize = 300;
    let broker = Broker::start();
    let workspace = Workspace::new(&broker.url(), "");
    let _watch = workspace.spawn(&["watch", "--nats", &broker.url()]);
    let mut first = workspace.spawn(&["worker", "--nats", &broker.url()]);
    let mut second = workspace.spawn(&["worker", "--nats", &broker.url(), "--stage", "extract"]);
    for n in 0..ARTICLES {
        workspace.drop_file(&format!("burst/{n:04}.txt"), &article(1000 + n));
        if n == ARTICLES / 3 {
            first.kill9();
            first = workspace.spawn(&["worker", "--nats", &broker.url()]);
        }
        if n == 2 * ARTICLES / 3 {
            second.kill9();
            second = workspace.spawn(&["worker", "--nats", &broker.url(), "--stage", "extract"]);
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.kill9();
    let _third = workspace.spawn(&["worker", "--nats", &broker.url()]);
    let records = results(&broker.url(), ARTICLES, Duration::from_secs(120)).await;
    let counts = counts_by_id(&records);
    let doubled: Vec<_> = counts.iter().filter(|(_, &count)| count > 1).collect();
    let failed = errors(&broker.url(), 0, Duration::from_secs(2)).await;
    assert!(failed.is_empty(), "unexpected error records: {failed:?}");
    assert_eq!(
        counts.len(),
        ARTICLES,
        "lost {} articles; log: {}",
        ARTICLES - counts.len(),
        second.log_text()
    );
    assert!(doubled.is_empty(), "doubled: {doubled:?}");
}
