//! Hashes made by a real Django install verify, and are upgraded to Argon2id at login.
//! `QUIVER_TEST_DJANGO_PYTHON` names a Python with Django and bcrypt (`.ci/run` makes one).

use super::*;

fn django_hash(hasher: &str, password: &str) -> Option<String> {
    let Ok(python) = std::env::var("QUIVER_TEST_DJANGO_PYTHON") else {
        eprintln!("skipped: set QUIVER_TEST_DJANGO_PYTHON to a Python with Django and bcrypt");
        return None;
    };
    let script = format!(
        "import django\n\
         from django.conf import settings\n\
         settings.configure(PASSWORD_HASHERS=['django.contrib.auth.hashers.{hasher}'])\n\
         django.setup()\n\
         from django.contrib.auth.hashers import make_password\n\
         print(make_password({password:?}))\n"
    );
    let output = std::process::Command::new(python).arg("-c").arg(script).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    Some(String::from_utf8(output.stdout).unwrap().trim().to_owned())
}

#[tokio::test]
async fn django_hashes_verify_and_are_upgraded_at_the_next_login() {
    for hasher in [
        "PBKDF2PasswordHasher",
        "BCryptSHA256PasswordHasher",
        "BCryptPasswordHasher",
        "Argon2PasswordHasher",
    ] {
        let Some(hash) = django_hash(hasher, PASSWORD) else { return };
        let db = database().await;
        let auth = auth(&db);
        assert!(auth.password_hasher().verify(PASSWORD, &hash).ok(), "{hasher}: {hash}");
        assert!(!auth.password_hasher().verify("wrong", &hash).ok(), "{hasher}");

        // A user imported from Django logs in, and leaves with an Argon2id hash.
        let mut user = User::new("imported", "");
        user.password = hash.clone();
        user.insert(&db).await.unwrap();
        let client = client(&db, auth);
        assert_eq!(login(&client, "imported", PASSWORD).await, 200, "{hasher}");
        user.refresh_from_db(&db).await.unwrap();
        assert!(user.password.starts_with("argon2$argon2id$"), "{hasher}: {}", user.password);
        if hasher == "Argon2PasswordHasher" {
            // Django's Argon2 parameters are stronger than the test hasher's: kept as it is.
            assert_eq!(user.password, hash);
        } else {
            assert_ne!(user.password, hash, "{hasher}");
        }
        assert_eq!(login(&client, "imported", PASSWORD).await, 200);
    }
}
