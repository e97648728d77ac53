//! Logging in and out of the admin, and changing one's password.

use http::{Method, StatusCode};
use quiver_core::ErrorKind;
use quiver_core::extract::Request;
use quiver_core::response::Response;
use quiver_orm::{FieldType, Model};
use serde_json::json;

use super::{Ctx, FormData, internal, redirect, safe_next};

const BAD_LOGIN: &str = "Please enter the correct username and password for a staff account. \
                         Note that both fields may be case-sensitive.";

/// `login/`: the form, and logging in as an active staff user.
pub(crate) async fn login(ctx: &Ctx, method: Method, request: Request) -> Response {
    let next = ctx.param("next").map(|n| safe_next(n, &ctx.site)).unwrap_or_else(|| ctx.site.url());
    if method != Method::POST {
        if ctx.user.is_some() {
            return redirect(&next);
        }
        let form = json!({"username": "", "error": null, "next": next});
        return ctx
            .page(StatusCode::OK, "admin/login.html", "Log in", Vec::new(), json!({"form": form}))
            .await;
    }
    let form = match FormData::read(request, &ctx.app).await {
        Ok(form) => form,
        Err(message) => return ctx.error(StatusCode::BAD_REQUEST, &message).await,
    };
    let username = form.get("username").unwrap_or("").trim().to_owned();
    let password = form.get("password").unwrap_or("");
    let next = form.get("next").map(|n| safe_next(n, &ctx.site)).unwrap_or(next);
    let (status, error) = match ctx.auth().authenticate(&username, password, ctx.ip.0).await {
        Ok(user) if user.is_staff => {
            if let Err(error) = ctx.auth().login(&ctx.session, &user).await {
                return internal(error);
            }
            return redirect(&next);
        }
        Ok(_) => (StatusCode::OK, BAD_LOGIN.to_owned()),
        Err(error) if error.status() == StatusCode::TOO_MANY_REQUESTS => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed login attempts. Try again later.".to_owned(),
        ),
        Err(error) if error.status() == StatusCode::UNAUTHORIZED => {
            (StatusCode::OK, BAD_LOGIN.to_owned())
        }
        Err(error) => return internal(error),
    };
    let form = json!({"username": username, "error": error, "next": next});
    ctx.page(status, "admin/login.html", "Log in", Vec::new(), json!({"form": form})).await
}

/// `logout/` (POST only): ends the session.
pub(crate) async fn logout(ctx: &Ctx) -> Response {
    ctx.auth().logout(&ctx.session).await;
    redirect(&format!("{}/login/", ctx.site.prefix))
}

/// `password_change/`: the old password, the new one twice.
pub(crate) async fn password_change(ctx: &Ctx, method: Method, request: Request) -> Response {
    let crumbs = vec![("Password change".to_owned(), None)];
    let empty = json!({"errors": {}, "non_field": []});
    if method != Method::POST {
        let extra = json!({"form": empty, "done": false});
        return ctx
            .page(StatusCode::OK, "admin/password_change.html", "Password change", crumbs, extra)
            .await;
    }
    let form = match FormData::read(request, &ctx.app).await {
        Ok(form) => form,
        Err(message) => return ctx.error(StatusCode::BAD_REQUEST, &message).await,
    };
    let (old, new1, new2) = (
        form.get("old_password").unwrap_or(""),
        form.get("new_password1").unwrap_or(""),
        form.get("new_password2").unwrap_or(""),
    );
    let mut user = ctx.user().clone();
    let mut errors = serde_json::Map::new();
    let hasher = ctx.auth().password_hasher();
    if !hasher.verify_async(old, &user.password).await.ok() {
        errors.insert(
            "old_password".into(),
            json!(["Your old password was entered incorrectly. Please enter it again."]),
        );
    }
    if new1 != new2 {
        errors.insert("new_password2".into(), json!(["The two password fields didn't match."]));
    }
    if errors.is_empty()
        && let Err(error) = ctx.auth().set_password(&mut user, new1).await
    {
        let messages: Vec<String> = match error.kind() {
            ErrorKind::Validation(problems) => problems.iter().map(|p| p.msg.clone()).collect(),
            _ => return internal(error),
        };
        errors.insert("new_password1".into(), json!(messages));
    }
    if !errors.is_empty() {
        let extra = json!({"form": {"errors": errors, "non_field": []}, "done": false});
        return ctx
            .page(StatusCode::OK, "admin/password_change.html", "Password change", crumbs, extra)
            .await;
    }
    let key = user.id.value();
    let saved = quiver_auth::User::objects()
        .filter(quiver_orm::Q::path("id", key.to_value()))
        .update()
        .set_value("password", user.password.clone().to_value())
        .execute(&ctx.db)
        .await;
    if let Err(error) = saved {
        return internal(error);
    }
    // The session is tied to the password hash: log in again so this one stays valid.
    if let Err(error) = ctx.auth().login(&ctx.session, &user).await {
        return internal(error);
    }
    let extra = json!({"form": empty, "done": true});
    ctx.page(
        StatusCode::OK,
        "admin/password_change.html",
        "Password change successful",
        crumbs,
        extra,
    )
    .await
}
