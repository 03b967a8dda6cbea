//! NATS credentials from the config: user/password and token against a real nats-server that
//! requires them; secrets never appear in logs or in `config check`; a wrong password is
//! reported clearly.

use std::time::Duration;

use crate::harness::{results, run_newsflow, seeds, Broker, Workspace};

const PASSWORD: &str = "pw-7f3a9c1e5b";
const TOKEN: &str = "tok-41d8cd98f00b";

fn with_credentials(url: &str, credentials: &str) -> String {
    url.replacen("nats://", &format!("nats://{credentials}@"), 1)
}

#[tokio::test(flavor = "multi_thread")]
async fn user_password_and_token_work_and_are_never_logged() {
    for (server_args, options, client) in [
        (
            vec!["--user", "newsflow", "--pass", PASSWORD],
            format!("user = \"newsflow\"\npassword = \"{PASSWORD}\""),
            format!("newsflow:{PASSWORD}"),
        ),
        (
            vec!["--auth", TOKEN],
            format!("token = \"{TOKEN}\""),
            TOKEN.to_string(),
        ),
    ] {
        let broker = Broker::start_with(&server_args);
        let workspace = Workspace::new(&broker.url(), "");
        workspace.add_nats_options(&options);
        let mut up = workspace.spawn(&["up", "--nats", &broker.url()]);
        let (name, bytes) = &seeds()[1];
        workspace.drop_file(name, bytes);
        let records = results(
            &with_credentials(&broker.url(), &client),
            1,
            Duration::from_secs(60),
        )
        .await;
        assert_eq!(records.len(), 1, "log: {}", up.log_text());
        let (ok, stdout, stderr) = run_newsflow(&workspace.config, &["config", "check"]);
        assert!(ok, "{stderr}");
        assert!(up.terminate().success());
        let log = up.log_text();
        for secret in [PASSWORD, TOKEN] {
            assert!(!log.contains(secret), "secret in the log: {log}");
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "secret in config check"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_reported_not_hidden() {
    let broker = Broker::start_with(&["--user", "newsflow", "--pass", PASSWORD]);
    let workspace = Workspace::new(&broker.url(), "");
    workspace.add_nats_options("user = \"newsflow\"\npassword = \"not-the-password\"");
    let up = workspace.spawn(&["up", "--nats", &broker.url()]);
    let mut log = String::new();
    for _ in 0..100 {
        log = up.log_text();
        if log.to_lowercase().contains("authorization violation") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        log.to_lowercase().contains("authorization violation"),
        "no clear error for a wrong password: {log}"
    );
    assert!(!log.contains("not-the-password"), "password logged: {log}");
}
