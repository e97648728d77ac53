//! Logging in and out with a session, through the auth app's API (`authenticate`, `login`,
//! `logout`): the same calls the admin's login page makes.

use quiver::Route;
use quiver::auth::session::Session;
use quiver::pages::{Messages, Page};
use quiver::prelude::*;

use super::safe_next;

/// Where to go after logging in.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
struct NextQuery {
    next: Option<String>,
}

/// The login form as posted.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn form(
    page: &Page,
    status: StatusCode,
    username: &str,
    next: &str,
    error: Option<&str>,
) -> Result<Response> {
    let html = page.render("shop/login.html", context! { username, next, error })?;
    Ok((status, html).into_response())
}

/// The login form; a logged-in user goes straight on.
#[get("/accounts/login/", hidden)]
async fn login_form(page: Page, Query(query): Query<NextQuery>) -> Result<Response> {
    let next = safe_next(query.next.as_deref());
    if page.user().is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    form(&page, StatusCode::OK, "", &next, None)
}

/// Logs in: a new session key, then on to `next`.
#[post("/accounts/login/", hidden)]
async fn login(
    page: Page,
    app: AppContext,
    session: Session,
    messages: Messages,
    ip: ClientIp,
    Form(posted): Form<LoginForm>,
) -> Result<Response> {
    let auth = Auth::of(&app)?;
    let next = safe_next(posted.next.as_deref());
    let username = posted.username.trim();
    match auth.authenticate(username, &posted.password, ip.0).await {
        Ok(user) => {
            auth.login(&session, &user).await?;
            messages.success(format!("Welcome back, {}.", user.username));
            Ok(Redirect::to(&next).into_response())
        }
        Err(error) if error.status() == StatusCode::UNAUTHORIZED => form(
            &page,
            StatusCode::OK,
            username,
            &next,
            Some("Wrong username or password. Both are case-sensitive."),
        ),
        Err(error) if error.status() == StatusCode::TOO_MANY_REQUESTS => form(
            &page,
            StatusCode::TOO_MANY_REQUESTS,
            username,
            &next,
            Some("Too many failed attempts. Try again in a few minutes."),
        ),
        Err(error) => Err(error),
    }
}

/// Logs out (a form posts here, with its CSRF token) and goes back to the shop. The session
/// is deleted, flash messages with it: the page simply shows the "Log in" link again.
#[post("/accounts/logout/", hidden)]
async fn logout(app: AppContext, session: Session) -> Result<Redirect> {
    Auth::of(&app)?.logout(&session).await;
    Ok(Redirect::to("/"))
}

pub(super) fn routes() -> Vec<Route> {
    routes![login_form, login, logout]
}
