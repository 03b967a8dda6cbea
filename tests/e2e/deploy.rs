//! The deploy files, checked offline: NATS configs by `nats-server -t`, systemd units by
//! `systemd-analyze verify` (where systemd is installed), the compose file and the Kubernetes
//! manifests parsed as YAML, and every newsflow command line in them accepted by the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::repo_root;

fn deploy() -> PathBuf {
    repo_root().join("deploy")
}

fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    found.sort();
    assert!(
        !found.is_empty(),
        "no .{extension} files in {}",
        dir.display()
    );
    found
}

/// The binary accepts this command line (checked with `--help` appended, so nothing runs).
fn assert_command_line(args: &[String], origin: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{origin}: `newsflow {}` is not a valid command line: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn yaml_documents(path: &Path) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    let text = std::fs::read_to_string(path).unwrap();
    serde_norway::Deserializer::from_str(&text)
        .map(|document| {
            serde_json::Value::deserialize(document)
                .unwrap_or_else(|err| panic!("{} is not valid YAML: {err}", path.display()))
        })
        .filter(|document| !document.is_null())
        .collect()
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| item.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn nats_cluster_configs_are_valid() {
    for path in files(&deploy().join("nats"), "conf") {
        let output = Command::new(newsflow_bus::server::find_nats_server().unwrap())
            .arg("-t")
            .arg("-c")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn systemd_units_verify_and_run_real_commands() {
    let units = files(&deploy().join("systemd"), "service");
    let dir = tempfile::tempdir().unwrap();
    let mut to_verify = Vec::new();
    for unit in &units {
        let text = std::fs::read_to_string(unit).unwrap();
        let exec = text
            .lines()
            .find_map(|line| line.strip_prefix("ExecStart="))
            .unwrap_or_else(|| panic!("{} has no ExecStart", unit.display()));
        let mut words = exec.split_whitespace().map(str::to_string);
        assert_eq!(words.next().as_deref(), Some("/usr/local/bin/newsflow"));
        assert_command_line(&words.collect::<Vec<_>>(), &unit.display().to_string());
        // Verify against the binary just built, as an instance for templates.
        let name = unit
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace("@.", "@1.");
        let local = text.replace("/usr/local/bin/newsflow", env!("CARGO_BIN_EXE_newsflow"));
        std::fs::write(dir.path().join(&name), local).unwrap();
        to_verify.push(dir.path().join(name));
    }
    // A missing systemd-analyze fails: scripts/install-test-deps.sh (run by scripts/test.sh and
    // CI) installs it, and a check that quietly did not run would pass for one that did.
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .args(&to_verify)
        .output()
        .unwrap_or_else(|err| {
            panic!("systemd-analyze: {err} (install it: bash scripts/install-test-deps.sh)")
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "systemd-analyze verify: {stderr}");
    assert!(
        !stderr.contains("Unknown key"),
        "systemd-analyze verify: {stderr}"
    );
}

#[test]
fn compose_file_runs_nats_watcher_and_scalable_workers() {
    let compose = &yaml_documents(&deploy().join("docker-compose.yml"))[0];
    let services = compose["services"].as_object().unwrap();
    for name in ["nats", "watcher", "worker"] {
        assert!(services.contains_key(name), "compose lacks service {name}");
    }
    assert!(strings(&services["nats"]["command"]).contains(&"-js".to_string()));
    assert!(services["worker"]["deploy"]["replicas"].as_u64().unwrap() >= 1);
    for name in ["watcher", "worker"] {
        let command = strings(&services[name]["command"]);
        assert_command_line(&command, &format!("compose service {name}"));
        assert!(services[name]["environment"]["NEWSFLOW_NATS_URL"]
            .as_str()
            .unwrap()
            .contains("nats:4222"));
    }
    let dockerfile = std::fs::read_to_string(deploy().join("docker/Dockerfile")).unwrap();
    for needle in [
        "cargo build --release -p newsflow-cli",
        "COPY config/models",
    ] {
        assert!(dockerfile.contains(needle), "Dockerfile lacks {needle}");
    }
}

#[test]
fn kubernetes_manifests_are_well_formed_and_consistent() {
    let dir = deploy().join("k8s");
    let kustomization = &yaml_documents(&dir.join("kustomization.yaml"))[0];
    for resource in strings(&kustomization["resources"]) {
        assert!(
            dir.join(&resource).exists(),
            "kustomization lists missing {resource}"
        );
    }
    let mut kinds = Vec::new();
    for path in files(&dir, "yaml") {
        for document in yaml_documents(&path) {
            let origin = path.display().to_string();
            if path.ends_with("nats-values.yaml") {
                assert_eq!(document["config"]["cluster"]["replicas"], 3, "{origin}");
                assert_eq!(document["config"]["jetstream"]["enabled"], true, "{origin}");
                continue;
            }
            let kind = document["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{origin}: no kind"));
            assert!(
                document["apiVersion"].is_string(),
                "{origin}: no apiVersion"
            );
            kinds.push(kind.to_string());
            if kind == "Kustomization" {
                continue;
            }
            assert!(
                document["metadata"]["name"].is_string(),
                "{origin}: no name"
            );
            let containers = &document["spec"]["template"]["spec"]["containers"];
            for container in containers.as_array().into_iter().flatten() {
                assert_command_line(&strings(&container["args"]), &origin);
                let port = &container["readinessProbe"]["httpGet"]["path"];
                assert_eq!(port, "/readyz", "{origin}: readiness probe");
            }
            if kind == "ConfigMap" {
                let toml = document["data"]["newsflow.toml"].as_str().unwrap();
                let config = newsflow_config::Config::from_toml(toml).unwrap();
                assert!(
                    config.problems().is_empty(),
                    "{origin}: {:?}",
                    config.problems()
                );
                assert_eq!(config.nats.replicas, 3);
            }
            if kind == "ScaledObject" {
                let trigger = &document["spec"]["triggers"][0]["metadata"];
                assert_eq!(trigger["stream"], "NEWSFLOW_ARTICLES");
                assert_eq!(trigger["consumer"], "newsflow-extract");
            }
        }
    }
    for kind in ["Deployment", "StatefulSet", "ConfigMap", "ScaledObject"] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} among {kinds:?}");
    }
}
