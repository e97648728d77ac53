//! atomic: commit, rollback on error and on panic, savepoints, on_commit, locking, and the
//! SQLite writer queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use quiver_orm::prelude::*;
use quiver_orm::{Error, ErrorKind, db_test};

use crate::models::*;
use crate::setup;

async fn names(db: &Db) -> quiver_orm::Result<Vec<String>> {
    Author::objects().values_list(db, Author::NAME).await
}

db_test!(commit_on_ok, |db| async move {
    setup(&db).await?;
    let id = db
        .atomic(|tx| async move {
            let mut ada = author("ada");
            ada.insert(&tx).await?;
            assert_eq!(Author::objects().count(&tx).await?, 1, "visible inside");
            Ok::<_, Error>(ada.id.value())
        })
        .await?;
    assert_eq!(Author::objects().get(&*db).await?.id.value(), id);
    Ok(())
});

db_test!(rollback_on_error, |db| async move {
    setup(&db).await?;
    let result: Result<(), Error> = db
        .atomic(|tx| async move {
            author("ada").insert(&tx).await?;
            author("ada").insert(&tx).await?; // unique violation
            Ok(())
        })
        .await;
    assert!(matches!(result.unwrap_err().kind(), ErrorKind::UniqueViolation { .. }));
    assert!(names(&db).await?.is_empty(), "the first insert was rolled back");
    Ok(())
});

db_test!(rollback_on_panic, |db| async move {
    setup(&db).await?;
    let db2 = db.db().clone();
    let outcome = tokio::spawn(async move {
        db2.atomic(|tx| async move {
            author("ada").insert(&tx).await?;
            panic!("handler bug");
            #[allow(unreachable_code)]
            Ok::<_, Error>(())
        })
        .await
    })
    .await;
    assert!(outcome.unwrap_err().is_panic(), "the panic goes on");
    assert!(names(&db).await?.is_empty(), "rolled back");
    author("bob").insert(&*db).await?; // and the connection is usable again
    assert_eq!(names(&db).await?, ["bob"]);
    Ok(())
});

db_test!(savepoints_nest, |db| async move {
    setup(&db).await?;
    db.atomic(|tx| async move {
        author("outer").insert(&tx).await?;
        let inner: Result<(), Error> = tx
            .atomic(|tx| async move {
                author("inner-failed").insert(&tx).await?;
                Err(Error::not_found("Author"))
            })
            .await;
        assert!(inner.is_err());
        tx.atomic(|tx| async move {
            author("inner-kept").insert(&tx).await?;
            tx.atomic(|tx| async move { author("innermost").insert(&tx).await }).await
        })
        .await?;
        Ok::<_, Error>(())
    })
    .await?;
    assert_eq!(names(&db).await?, ["inner-kept", "innermost", "outer"]);
    Ok(())
});

db_test!(on_commit_runs_only_after_commit, |db| async move {
    setup(&db).await?;
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    db.atomic(|tx| async move {
        let c = counter.clone();
        tx.on_commit(move || {
            c.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(counter.load(Ordering::SeqCst), 0, "not before the commit");
        // A hook registered in a savepoint that rolls back is dropped.
        let c = counter.clone();
        let _ = tx
            .atomic(|tx| async move {
                tx.on_commit(move || {
                    c.fetch_add(100, Ordering::SeqCst);
                });
                Err::<(), _>(Error::not_found("x"))
            })
            .await;
        // One in a savepoint that is released runs with the outer commit.
        let c = counter.clone();
        tx.atomic(|tx| async move {
            tx.on_commit(move || {
                c.fetch_add(10, Ordering::SeqCst);
            });
            Ok::<_, Error>(())
        })
        .await?;
        Ok::<_, Error>(())
    })
    .await?;
    assert_eq!(ran.load(Ordering::SeqCst), 11);
    let counter = ran.clone();
    let _: Result<(), Error> = db
        .atomic(|tx| async move {
            tx.on_commit(move || {
                counter.fetch_add(1000, Ordering::SeqCst);
            });
            Err(Error::not_found("x"))
        })
        .await;
    assert_eq!(ran.load(Ordering::SeqCst), 11, "never after a rollback");
    Ok(())
});

db_test!(a_leaked_transaction_handle_is_closed, |db| async move {
    setup(&db).await?;
    let leaked = db.atomic(|tx| async move { Ok::<_, Error>(tx.clone()) }).await?;
    let error = author("late").insert(&leaked).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::TransactionClosed), "{error}");
    Ok(())
});

db_test!(select_for_update_serializes_read_modify_write, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    article(&ada, "counter", 0).insert(&*db).await?;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let db = db.db().clone();
        tasks.push(tokio::spawn(async move {
            db.atomic(|tx| async move {
                let mut a = Article::objects().select_for_update().get(&tx).await?;
                tokio::task::yield_now().await;
                a.views += 1;
                a.save(&tx).await
            })
            .await
        }));
    }
    for task in tasks {
        task.await.unwrap()?;
    }
    assert_eq!(Article::objects().get(&*db).await?.views, 8, "no lost update");
    Ok(())
});

db_test!(concurrent_atomic_updates_with_f_expressions, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    article(&ada, "hits", 0).insert(&*db).await?;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let db = db.db().clone();
        tasks.push(tokio::spawn(async move {
            Article::objects()
                .update()
                .set_expr(Article::VIEWS, F(Article::VIEWS) + 1)
                .execute(&db)
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap()?;
    }
    assert_eq!(Article::objects().get(&*db).await?.views, 20);
    Ok(())
});

db_test!(reads_go_on_while_a_transaction_writes, |db| async move {
    setup(&db).await?;
    author("before").insert(&*db).await?;
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let (finish_tx, finish) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let db = db.db().clone();
        tokio::spawn(async move {
            db.atomic(|tx| async move {
                author("uncommitted").insert(&tx).await?;
                started_tx.send(()).unwrap();
                finish.await.unwrap();
                Ok::<_, Error>(())
            })
            .await
        })
    };
    started.await.unwrap();
    // Outside the transaction: its write is not visible, and reading does not wait for it.
    let seen = tokio::time::timeout(std::time::Duration::from_secs(5), names(&db))
        .await
        .expect("reads are not blocked")?;
    assert_eq!(seen, ["before"]);
    finish_tx.send(()).unwrap();
    writer.await.unwrap()?;
    assert_eq!(names(&db).await?, ["before", "uncommitted"]);
    Ok(())
});

db_test!(the_db_handle_joins_the_open_transaction, |db| async move {
    setup(&db).await?;
    let handle = db.db().clone();
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        db.atomic(|_tx| async move {
            // A helper that only has the Db: it joins the transaction instead of waiting for it.
            author("via-db").insert(&handle).await?;
            assert_eq!(Author::objects().count(&handle).await?, 1);
            // A nested db.atomic is a savepoint of the same transaction.
            let inner: Result<(), Error> = handle
                .atomic(|tx| async move {
                    author("inner").insert(&tx).await?;
                    Err(Error::not_found("x"))
                })
                .await;
            assert!(inner.is_err());
            assert_eq!(
                Author::objects().count(&handle).await?,
                1,
                "the savepoint rolled back alone"
            );
            Err::<(), _>(Error::not_found("roll back"))
        }),
    )
    .await
    .expect("no deadlock");
    assert!(result.is_err());
    assert!(names(&db).await?.is_empty(), "the write through the Db handle was rolled back too");
    Ok(())
});

db_test!(pinned_keeps_one_connection, |db| async move {
    let sql = match db.backend() {
        quiver_orm::Backend::Postgres => "SELECT CAST(pg_backend_pid() AS BIGINT)",
        quiver_orm::Backend::MySql => "SELECT CAST(CONNECTION_ID() AS SIGNED)",
        quiver_orm::Backend::Sqlite => return Ok(()),
    };
    let handle = db.db().clone();
    let ids = db
        .pinned(async move {
            let mut ids = Vec::new();
            for _ in 0..10 {
                let id = handle
                    .fetch_raw(sql, [], |row| <i64 as quiver_orm::FieldType>::decode(row, 0))
                    .await?;
                ids.push(id[0]);
                // Another task takes pool connections meanwhile: the pinned one stays ours.
                let other = handle.clone();
                tokio::spawn(async move { other.fetch_raw(sql, [], |_| Ok(())).await })
                    .await
                    .unwrap()?;
            }
            Ok::<_, Error>(ids)
        })
        .await??;
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    Ok(())
});
