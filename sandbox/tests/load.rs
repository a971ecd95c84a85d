//! Bounded load test on loopback: 200 concurrent Full-KYC enrollments through the whole flow,
//! 0 errors, and exactly 200 registrations (no loss, no duplicates) in the SQLite file after.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;
use smart_enroll_testkit::Server;

const ENROLLMENTS: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_full_kyc_enrollments() {
    let s = Server::start().await;
    let (p, f) = s.setup("full_kyc", json!({})).await;
    let server = std::sync::Arc::new(s);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..ENROLLMENTS {
        let s = std::sync::Arc::clone(&server);
        let (p, f) = (p.clone(), f.clone());
        set.spawn(async move {
            let email = format!("load{i}@example.com");
            let reg = s.register(&p, &f, json!({"email": email})).await;
            let v = s.full_kyc(&reg, &email, i as u8).await;
            assert_eq!(v["data"]["status"], "COMPLETED");
            reg.id
        });
    }
    let mut ids = HashSet::new();
    // Bounded: the whole run must finish within 5 minutes or the test fails.
    let all = tokio::time::timeout(Duration::from_secs(300), async {
        while let Some(r) = set.join_next().await {
            ids.insert(r.expect("enrollment task failed"));
        }
    })
    .await;
    assert!(all.is_ok(), "load test did not finish in time");
    assert_eq!(ids.len(), ENROLLMENTS);

    let list = server
        .ok(
            reqwest::Method::GET,
            "/v2/app-registrations?perPage=100",
            smart_enroll_testkit::Auth::Client,
            None,
        )
        .await;
    assert_eq!(list["total"], ENROLLMENTS);
    let mut s = std::sync::Arc::into_inner(server).expect("all tasks done");
    s.stop().await;

    // Count rows in the real SQLite file after a clean shutdown.
    let conn = rusqlite::Connection::open(s.db_path()).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT COUNT(*) FROM app_registrations"),
        ENROLLMENTS as i64
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT id) FROM app_registrations"),
        ENROLLMENTS as i64
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM app_registrations WHERE json_extract(doc, '$.status') = 'COMPLETED'"
        ),
        ENROLLMENTS as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM objects WHERE kind = 'documentValidation'"),
        ENROLLMENTS as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM objects WHERE kind = 'biometricValidation'"),
        ENROLLMENTS as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM objects WHERE kind = 'compareFaceVerification'"),
        ENROLLMENTS as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM otp_validations WHERE status = 'validated'"),
        ENROLLMENTS as i64
    );
    // Three images per enrollment (front, back, selfie), all on disk.
    assert_eq!(count("SELECT COUNT(*) FROM images"), 3 * ENROLLMENTS as i64);
    let files = std::fs::read_dir(s.dir.path().join("images"))
        .unwrap()
        .count();
    assert_eq!(files, 3 * ENROLLMENTS);
    for id in &ids {
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM app_registrations WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "registration {id}");
    }
}
