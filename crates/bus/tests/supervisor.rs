//! The managed nats-server's lifetime against the real binary: it dies with the thread that
//! started it (`die_with_parent`), the supervisor restarts it when it dies and kills it on stop.

use std::path::Path;
use std::time::{Duration, Instant};

use newsflow_bus::server::{servers_on_store, NatsServer, ServerOptions, Supervisor};

fn wait_until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < deadline, "{what} within {deadline:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn options(store: &Path) -> ServerOptions {
    let mut options = ServerOptions::new(store);
    options.die_with_parent = true;
    options.take_over_store = true;
    options
}

#[test]
fn a_server_dies_with_the_thread_that_started_it() {
    let store = tempfile::tempdir().unwrap();
    let absolute = store.path().canonicalize().unwrap();
    let started = options(store.path());
    std::thread::spawn(move || {
        let server = NatsServer::start(started).unwrap();
        // Not dropped (that would kill it): only the thread's end may.
        std::mem::forget(server);
    })
    .join()
    .unwrap();
    wait_until(
        "the server dies with its thread",
        Duration::from_secs(5),
        || servers_on_store(&absolute).is_empty(),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_supervisor_restarts_a_dead_server_and_kills_it_on_stop() {
    let store = tempfile::tempdir().unwrap();
    let absolute = store.path().canonicalize().unwrap();
    let supervisor = Supervisor::start(options(store.path()), Duration::from_millis(200))
        .await
        .unwrap();
    let first = supervisor.pid();
    assert_eq!(servers_on_store(&absolute), vec![first]);
    let pid = rustix::process::Pid::from_raw(first as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::KILL).unwrap();
    wait_until("a new server", Duration::from_secs(20), || {
        let servers = servers_on_store(&absolute);
        servers.len() == 1 && servers[0] != first
    });
    // On the same port: the URL clients were given still works (once the new process listens;
    // it shows in /proc before it binds the port).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let client = loop {
        let client = async_nats::connect(supervisor.url()).await;
        if client.is_ok() || std::time::Instant::now() > deadline {
            break client;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(client.is_ok(), "{client:?}");
    supervisor.stop().await;
    assert_eq!(servers_on_store(&absolute), Vec::<u32>::new());
}
