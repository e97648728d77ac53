//! How long `migrate` takes to alter a column of a 100,000-row SQLite table (the table-rebuild
//! procedure: new table, copy, drop, rename, indexes). `cargo bench -p quiver-orm --bench
//! migrate_rebuild`; progress lines go to stderr.

use std::time::Instant;

use quiver_orm::migrations::{Answers, Migration, ProjectState, Target, detect, migrate};
use quiver_orm::prelude::*;

mod before {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "event")]
    pub struct Event {
        pub id: Auto<i64>,
        #[field(max_length = 50, index)]
        pub kind: String,
        pub payload: String,
        pub score: Option<i64>,
    }
}

mod after {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "event")]
    pub struct Event {
        pub id: Auto<i64>,
        #[field(max_length = 100, index)] // longer
        pub kind: String,
        pub payload: String,
        #[field(default = 0)] // made required, NULLs become 0
        pub score: i64,
    }
}

const ROWS: i64 = 100_000;

fn main() {
    tracing_subscriber_init();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let path = std::env::temp_dir()
            .join(format!("quiver-migrate-bench-{}.sqlite3", std::process::id()));
        let db = Db::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let s1 = ProjectState::from_models(&[before::Event::meta()]);
        let s2 = ProjectState::from_models(&[after::Event::meta()]);
        let files = vec![
            Migration {
                app: String::new(),
                name: "0001_initial".into(),
                dependencies: vec![],
                operations: detect(&ProjectState::default(), &s1, &Answers::default()).unwrap(),
            },
            Migration {
                app: String::new(),
                name: "0002_alter".into(),
                dependencies: vec!["0001_initial".into()],
                operations: detect(&s1, &s2, &Answers::default()).unwrap(),
            },
        ];
        migrate(&db, &files[..1], &Target::Latest, false).await.unwrap();
        let rows: Vec<before::Event> = (0..ROWS)
            .map(|i| before::Event {
                id: Auto::new(),
                kind: format!("kind{}", i % 20),
                payload: format!("{{\"n\": {i}, \"text\": \"some payload of a realistic size\"}}"),
                score: (i % 3 != 0).then_some(i),
            })
            .collect();
        before::Event::bulk_create(&db, rows).await.unwrap();
        let start = Instant::now();
        migrate(&db, &files, &Target::Latest, false).await.unwrap();
        let elapsed = start.elapsed();
        let nulls_gone =
            after::Event::objects().filter(after::Event::SCORE.eq(0)).count(&db).await.unwrap();
        println!(
            "sqlite: altered a {ROWS}-row table in {:.2} s ({} NULL scores became 0)",
            elapsed.as_secs_f64(),
            nulls_gone
        );
        drop(db);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    });
}

fn tracing_subscriber_init() {
    // Progress lines of the migration, on stderr.
    struct Stderr;
    impl tracing::Subscriber for Stderr {
        fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
            metadata.target() == "quiver::migrate"
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            struct Message(String);
            impl tracing::field::Visit for Message {
                fn record_debug(
                    &mut self,
                    field: &tracing::field::Field,
                    value: &dyn std::fmt::Debug,
                ) {
                    if field.name() == "message" {
                        self.0 = format!("{value:?}");
                    }
                }
            }
            let mut message = Message(String::new());
            event.record(&mut message);
            eprintln!("  {}", message.0);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
    let _ = tracing::subscriber::set_global_default(Stderr);
}
