//! Behaviour of the HTTP layer as a user sees it, through the public API only.

mod dependencies;
mod enum_messages;
mod inputs;
mod middleware;
mod openapi;
mod responses;
mod routing;
mod server;
mod validation;
