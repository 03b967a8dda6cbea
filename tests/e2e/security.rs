//! NATS credentials from the config: user/password and token against a real nats-server that
//! requires them; secrets never appear in logs or in `config check`; a wrong password is
//! reported clearly.

use std::time::Duration;

use crate::harness::{results, results_as, run_newsflow, seeds, Broker, Workspace};

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
        // Credentials in the URL itself are not printed either.
        let in_url = Workspace::new(&with_credentials(&broker.url(), &client), "");
        let (ok, url_stdout, url_stderr) = run_newsflow(&in_url.config, &["config", "check"]);
        assert!(ok, "{url_stderr}");
        assert!(url_stdout.contains("nats://***@127.0.0.1:"), "{url_stdout}");
        let stdout = format!("{stdout}{url_stdout}");
        let stderr = format!("{stderr}{url_stderr}");
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

// ---- nkey seed file, .creds file (operator mode), TLS and mutual TLS ----

/// Runs `up` with `options` in `[nats]` against `broker`, drops one seed and returns the one
/// result, read by a client that connects with the same settings. Checks that `config check`
/// passes and names the way it connects (`auth`), and that none of `secrets` is in the `up` log
/// or in `config check`'s output.
async fn one_article_flows(broker: &Broker, options: &str, auth: &str, secrets: &[&str]) {
    let workspace = Workspace::new(&broker.url(), "");
    workspace.add_nats_options(options);
    let (ok, stdout, stderr) = run_newsflow(&workspace.config, &["config", "check"]);
    assert!(ok, "config check: {stdout}{stderr}");
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("  nats auth: ") && line.contains(auth)),
        "config check does not say how it connects ({auth}): {stdout}"
    );
    let mut up = workspace.spawn(&["up", "--nats", &broker.url()]);
    let (name, bytes) = &seeds()[1];
    workspace.drop_file(name, bytes);
    let records = results_as(
        &broker.url(),
        &workspace.nats_config(),
        1,
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(records.len(), 1, "log: {}", up.log_text());
    assert!(up.terminate().success());
    let log = up.log_text();
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(!log.contains(secret), "secret in the log: {log}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "secret in config check: {stdout}{stderr}"
        );
    }
}

/// Starts `up` with `options` and waits until its log contains `expected` (lowercase), which
/// must come well before the 30 s connect deadline. Returns the log.
async fn up_reports(broker: &Broker, options: &str, expected: &str) -> String {
    let workspace = Workspace::new(&broker.url(), "");
    workspace.add_nats_options(options);
    let up = workspace.spawn(&["up", "--nats", &broker.url()]);
    let mut log = String::new();
    for _ in 0..100 {
        log = up.log_text();
        if log.to_lowercase().contains(expected) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        log.to_lowercase().contains(expected),
        "no clear error ({expected}) within 10 s: {log}"
    );
    log
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn an_nkey_seed_file_works_and_is_never_logged() {
    let user = nkeys::KeyPair::new_user();
    let seed = user.seed().unwrap();
    let broker = Broker::start_with_config(&format!(
        "authorization {{ users = [ {{ nkey: \"{}\" }} ] }}",
        user.public_key()
    ));
    let dir = tempfile::tempdir().unwrap();
    let seed_file = write(dir.path(), "user.nk", &format!("{seed}\n"));
    one_article_flows(
        &broker,
        &format!("nkey_file = \"{}\"", seed_file.display()),
        "nkey seed file",
        &[&seed],
    )
    .await;

    // A user the server does not know.
    let stranger = nkeys::KeyPair::new_user().seed().unwrap();
    let stranger_file = write(dir.path(), "stranger.nk", &stranger);
    let log = up_reports(
        &broker,
        &format!("nkey_file = \"{}\"", stranger_file.display()),
        "authorization violation",
    )
    .await;
    assert!(!log.contains(&stranger), "seed logged: {log}");

    // A file that holds no seed: said at once, naming the file and not its contents.
    let garbage = "SUnot-a-seed-but-maybe-a-secret";
    let garbage_file = write(dir.path(), "garbage.nk", garbage);
    let workspace = Workspace::new(&broker.url(), "");
    workspace.add_nats_options(&format!("nkey_file = \"{}\"", garbage_file.display()));
    let (ok, _, stderr) = run_newsflow(&workspace.config, &["up", "--nats", &broker.url()]);
    assert!(!ok);
    assert!(
        stderr.contains("not a user nkey seed") && stderr.contains("garbage.nk"),
        "{stderr}"
    );
    assert!(!stderr.contains(garbage), "{stderr}");
}

/// A NATS JWT (v2, as `nsc` writes them): `nats` claims for `subject`, signed by `issuer`.
fn jwt(issuer: &nkeys::KeyPair, subject: &str, name: &str, nats: serde_json::Value) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let issued = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = b64.encode(r#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let claims = serde_json::json!({
        "jti": format!("{name}{issued}"),
        "iat": issued,
        "iss": issuer.public_key(),
        "name": name,
        "sub": subject,
        "nats": nats,
    });
    let payload = b64.encode(claims.to_string());
    let signature = issuer
        .sign(format!("{header}.{payload}").as_bytes())
        .unwrap();
    format!("{header}.{payload}.{}", b64.encode(signature))
}

/// An account signed by `operator`, with unlimited JetStream if `jetstream`:
/// (account key, account JWT).
fn signed_account(
    operator: &nkeys::KeyPair,
    name: &str,
    jetstream: bool,
) -> (nkeys::KeyPair, String) {
    let account = nkeys::KeyPair::new_account();
    let storage = if jetstream { -1 } else { 0 };
    let claims = serde_json::json!({
        "limits": {
            "subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
            "wildcards": true, "conn": -1, "leaf": -1,
            "mem_storage": storage, "disk_storage": storage, "streams": -1, "consumer": -1,
        },
        "default_permissions": { "pub": {}, "sub": {} },
        "type": "account",
        "version": 2,
    });
    let token = jwt(operator, &account.public_key(), name, claims);
    (account, token)
}

/// A `.creds` file's text for a new user of `account`: (text, user JWT, user seed).
fn user_creds(account: &nkeys::KeyPair) -> (String, String, String) {
    let user = nkeys::KeyPair::new_user();
    let claims = serde_json::json!({
        "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1,
        "type": "user",
        "version": 2,
    });
    let token = jwt(account, &user.public_key(), "newsflow", claims);
    let seed = user.seed().unwrap();
    let text = format!(
        "-----BEGIN NATS USER JWT-----\n{token}\n------END NATS USER JWT------\n\n\
         ************************* IMPORTANT *************************\n\
         NKEY Seed printed below can be used to sign and prove identity.\n\
         NKEYs are sensitive and should be treated as secrets.\n\n\
         -----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n\n\
         *************************************************************\n"
    );
    (text, token, seed)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_creds_file_works_in_operator_mode_and_is_never_logged() {
    let dir = tempfile::tempdir().unwrap();
    let operator = nkeys::KeyPair::new_operator();
    let operator_jwt = jwt(
        &operator,
        &operator.public_key(),
        "newsflow-test-operator",
        serde_json::json!({ "type": "operator", "version": 2 }),
    );
    let operator_file = write(dir.path(), "operator.jwt", &operator_jwt);
    let (account, account_jwt) = signed_account(&operator, "NEWSFLOW", true);
    // JetStream in operator mode needs a system account.
    let (system, system_jwt) = signed_account(&operator, "SYS", false);
    let broker = Broker::start_with_config(&format!(
        "operator: \"{}\"\nsystem_account: {system}\nresolver: MEMORY\n\
         resolver_preload: {{\n  {system}: \"{system_jwt}\"\n  {}: \"{account_jwt}\"\n}}",
        operator_file.display(),
        account.public_key(),
        system = system.public_key(),
    ));
    let (creds, user_jwt, seed) = user_creds(&account);
    let creds_file = write(dir.path(), "newsflow.creds", &creds);
    one_article_flows(
        &broker,
        &format!("credentials_file = \"{}\"", creds_file.display()),
        "credentials file",
        &[&seed, &user_jwt],
    )
    .await;

    // A user of an account the operator never signed.
    let (stranger, _) = signed_account(&nkeys::KeyPair::new_operator(), "STRANGER", true);
    let (creds, stranger_jwt, stranger_seed) = user_creds(&stranger);
    let stranger_file = write(dir.path(), "stranger.creds", &creds);
    let log = up_reports(
        &broker,
        &format!("credentials_file = \"{}\"", stranger_file.display()),
        "authorization violation",
    )
    .await;
    assert!(
        !log.contains(&stranger_seed) && !log.contains(&stranger_jwt),
        "credentials logged: {log}"
    );

    // A missing file is said at once, naming the option and the path.
    let workspace = Workspace::new(&broker.url(), "");
    workspace.add_nats_options("credentials_file = \"/nonexistent/newsflow.creds\"");
    let (ok, _, stderr) = run_newsflow(&workspace.config, &["up", "--nats", &broker.url()]);
    assert!(!ok);
    assert!(
        stderr.contains("nats.credentials_file /nonexistent/newsflow.creds"),
        "{stderr}"
    );
}

/// A test CA and, signed by it, a server certificate for 127.0.0.1 and a client certificate,
/// as PEM files.
struct Pki {
    _dir: tempfile::TempDir,
    ca: std::path::PathBuf,
    server_cert: std::path::PathBuf,
    server_key: std::path::PathBuf,
    client_cert: std::path::PathBuf,
    client_key: std::path::PathBuf,
    /// A line from the middle of the client's private key.
    client_key_line: String,
}

fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "newsflow test CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let leaf = |name: &str, sans: Vec<String>, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(sans).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![usage];
        let cert = params.signed_by(&key, &ca).unwrap();
        (
            write(dir.path(), &format!("{name}.pem"), &cert.pem()),
            key.serialize_pem(),
        )
    };
    let (server_cert, server_key) = leaf(
        "server",
        vec!["127.0.0.1".to_string(), "localhost".to_string()],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let (client_cert, client_key) = leaf(
        "client",
        vec!["newsflow".to_string()],
        ExtendedKeyUsagePurpose::ClientAuth,
    );
    Pki {
        ca: write(dir.path(), "ca.pem", &ca.pem()),
        server_cert,
        server_key: write(dir.path(), "server-key.pem", &server_key),
        client_cert,
        client_key: write(dir.path(), "client-key.pem", &client_key),
        client_key_line: client_key.lines().nth(1).unwrap().to_string(),
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_with_a_private_ca_and_mutual_tls_work() {
    let pki = pki();
    let tls = |verify: bool| {
        format!(
            "tls {{\n  cert_file: \"{}\"\n  key_file: \"{}\"\n  ca_file: \"{}\"\n  verify: {verify}\n  timeout: 5\n}}",
            pki.server_cert.display(),
            pki.server_key.display(),
            pki.ca.display(),
        )
    };
    let trust = format!(
        "tls_required = true\ntls_ca_file = \"{}\"",
        pki.ca.display()
    );
    let client_certificate = format!(
        "tls_cert_file = \"{}\"\ntls_key_file = \"{}\"",
        pki.client_cert.display(),
        pki.client_key.display()
    );

    // Server TLS: trusted through tls_ca_file; without it the certificate is refused, loudly.
    let broker = Broker::start_with_config(&tls(false));
    one_article_flows(&broker, &trust, "TLS required, TLS CA", &[]).await;
    up_reports(&broker, "tls_required = true", "invalid peer certificate").await;

    // Mutual TLS: the server verifies the client's certificate.
    let broker = Broker::start_with_config(&tls(true));
    one_article_flows(
        &broker,
        &format!("{trust}\n{client_certificate}"),
        "client certificate",
        &[&pki.client_key_line],
    )
    .await;
    up_reports(&broker, &trust, "certificate").await;
}
