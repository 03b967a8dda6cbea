//! Commands that work without NATS.

use std::process::Command;

use crate::harness::repo_root;
use crate::pipeline::record_validator;

fn newsflow(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsflow"))
        .current_dir(repo_root())
        .args(args)
        .env_remove("NEWSFLOW_NATS_URL")
        .output()
        .unwrap()
}

#[test]
fn process_prints_one_record_per_file_and_errors_for_bad_ones() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("empty.txt"), b"").unwrap();
    let output = newsflow(&["process", "seeds", temp.path().to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    let validator = record_validator();
    for record in &lines[..5] {
        assert!(validator.is_valid(record), "{record:#}");
    }
    assert_eq!(lines[5]["error"]["kind"], "empty");
    // The two pairs that report the same story share a story id; 002 stands alone.
    let story = |n: usize| lines[n]["story_id"].as_str().unwrap().to_string();
    assert_eq!(story(0), story(1));
    assert_eq!(story(3), story(4));
    assert_ne!(story(2), story(0));
    assert_ne!(story(2), story(3));
    assert_ne!(story(0), story(3));
}

#[test]
fn config_check_explains_problems() {
    let output = newsflow(&["config", "check", "config/newsflow.toml"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let temp = tempfile::tempdir().unwrap();
    let bad = temp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[nats]\nprefix = \"a.b\"\n[workers]\nconcurrency = 0\n",
    )
    .unwrap();
    let output = newsflow(&["config", "check", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("nats.prefix") && stdout.contains("workers.concurrency"),
        "{stdout}"
    );
    std::fs::write(&bad, "[nats]\nurll = \"x\"\n").unwrap();
    let output = newsflow(&["config", "check", bad.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("urll"));
}
