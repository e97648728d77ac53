//! The change list over 100,000 rows on SQLite (issue 7's target: under 100 ms a page): the
//! first page, a deep page, a search across a relation, a sort on an unindexed column and a
//! filter, each timed through the whole HTTP stack (session, permissions, rendering).
//!
//! `cargo bench -p quiver-admin --bench changelist` (set `ROWS` for another size).

#![allow(missing_docs)] // A benchmark binary: its models are fixtures, not API.

use std::time::{Duration, Instant};

use quiver_admin::{AdminAppExt, AdminSite};
use quiver_auth::password::PasswordHasher;
use quiver_auth::{Auth, AuthAppExt};
use quiver_core::App;
use quiver_core::testing::TestClient;
use quiver_orm::prelude::*;

#[derive(Model, Debug, Clone)]
#[model(table = "bench_author", ordering = ["name"])]
pub struct Author {
    pub id: Auto<i64>,
    #[field(max_length = 100)]
    pub name: String,
}

#[derive(Model, Debug, Clone)]
#[model(table = "bench_article", ordering = ["-id"])]
pub struct Article {
    pub id: Auto<i64>,
    #[field(max_length = 200)]
    pub title: String,
    pub body: String,
    #[field(on_delete = cascade)]
    pub author: ForeignKey<Author>,
    pub published: bool,
    #[field(auto_now_add)]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn csrf(html: &str) -> String {
    let start = html.find(r#"name="csrfmiddlewaretoken" value=""#).expect("a form") + 34;
    html[start..].split('"').next().unwrap().to_owned()
}

fn main() {
    let rows: usize = std::env::var("ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let path =
            std::env::temp_dir().join(format!("quiver-admin-bench-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
        let mut models = quiver_auth::models();
        models.extend(quiver_admin::models());
        models.extend([Author::meta(), Article::meta()]);
        quiver_orm::schema::create_tables(&db, &models).await.unwrap();

        let started = Instant::now();
        let mut authors = Vec::new();
        for i in 0..50 {
            let name = format!("Author {i:02}");
            authors.push(
                Author::create_from_values(&db, vec![("name".into(), name.into())]).await.unwrap(),
            );
        }
        let now = chrono::Utc::now();
        for chunk in (0..rows).collect::<Vec<_>>().chunks(5_000) {
            let batch = chunk
                .iter()
                .map(|i| Article {
                    id: Auto::new(),
                    title: format!(
                        "Article number {i:06} about {}",
                        ["rust", "sql", "http", "admin"][i % 4]
                    ),
                    body: "Lorem ipsum dolor sit amet, consectetur adipiscing elit.".into(),
                    author: ForeignKey::new(authors[i % 50].id.value()),
                    published: i % 3 == 0,
                    created_at: now,
                })
                .collect();
            Article::bulk_create(&db, batch).await.unwrap();
        }
        eprintln!("seeded {rows} articles in {:.1} s", started.elapsed().as_secs_f64());

        let auth = Auth::new(&db, [7u8; 32]).hasher(PasswordHasher::argon2id(8 * 1024, 1, 1));
        auth.create_superuser("root", "root@example.com", "analytical-engine-1843").await.unwrap();
        let site = AdminSite::new().model::<Author>().register::<Article>(|a| {
            a.list_display(["title", "author", "published", "created_at"])
                .search_fields(["title", "author__name"])
                .list_filter(["published", "author"])
        });
        let client = TestClient::new(App::new().state(db.clone()).auth(auth).admin(site));
        let page = client.get("/admin/login/").await.text();
        let login = client
            .post("/admin/login/")
            .form(&[
                ("csrfmiddlewaretoken", csrf(&page).as_str()),
                ("username", "root"),
                ("password", "analytical-engine-1843"),
            ])
            .await;
        assert_eq!(login.status(), 302);

        let last = rows.div_ceil(100);
        let scenarios = [
            ("first page", "/admin/bench/article/".to_owned()),
            ("last page", format!("/admin/bench/article/?p={last}")),
            ("search, one word", "/admin/bench/article/?q=admin".to_owned()),
            ("search, an author's name", "/admin/bench/article/?q=author+07".to_owned()),
            ("search, three words", "/admin/bench/article/?q=author+07+admin".to_owned()),
            ("sort by title (no index)", "/admin/bench/article/?o=1".to_owned()),
            (
                "filter + sort, page 2",
                "/admin/bench/article/?published__exact=1&o=-1&p=2".to_owned(),
            ),
        ];
        println!("change list over {rows} rows, SQLite file, 100 rows a page; ms per page");
        println!("{:<28} {:>8} {:>8} {:>8}", "scenario", "median", "p95", "max");
        for (name, url) in scenarios {
            let mut times: Vec<Duration> = Vec::new();
            for _ in 0..25 {
                let started = Instant::now();
                let response = client.get(&url).await;
                times.push(started.elapsed());
                assert_eq!(response.status(), 200, "{url}");
                assert!(response.text().contains("<tbody>"), "{url} lists rows");
            }
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "{name:<28} {:>8.1} {:>8.1} {:>8.1}",
                ms(times[times.len() / 2]),
                ms(times[times.len() * 95 / 100]),
                ms(times[times.len() - 1])
            );
        }
        drop(client);
        let _ = std::fs::remove_file(&path);
    });
}
